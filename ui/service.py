"""The one object the UI talks to: a thread-safe handle on the library.

It holds the open ``Assistant`` and swaps it for a fresh one after an upload has been
ingested, so new documents appear in search at once. Everything it does is a call into
``assistant``: retrieval, answering, parsing and index writes all live there. The only
file work here is staging uploaded files next to the index so that ``ingest`` can read
them (and re-read them on a later incremental run).
"""

from __future__ import annotations

import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Callable

from assistant.api import Assistant
from assistant.documents import Answer, Citation, Document, DocumentMeta, Hit, Turn
from assistant.errors import AssistantError
from assistant.distributed import ingest_for
from assistant.ingest import IngestReport
from assistant.loaders import is_sidecar, sidecar_for, supported_suffixes
from assistant.loaders.sidecar import MAX_SIDECAR_BYTES
from assistant.retrieval import Filters
from assistant.settings import Settings

Say = Callable[[str], None]
UPLOADS = "uploads"


@dataclass
class DocRow:
    doc_id: str
    source: str
    meta: DocumentMeta
    passages: int


@dataclass
class FileResult:
    name: str
    ok: bool
    detail: str


@dataclass
class UploadResult:
    files: list[FileResult] = field(default_factory=list)
    report: IngestReport | None = None

    @property
    def added(self) -> int:
        return sum(1 for f in self.files if f.ok)


class Backend:
    """Shared by every session; safe to call from Gradio's worker threads."""

    def __init__(self, settings: Settings, assistant: Assistant):
        self.settings = settings
        self._assistant = assistant
        self._swap_lock = threading.Lock()
        self._retired: list[Assistant] = []
        self._doc_cache: dict[str, Document | None] = {}

    @classmethod
    def open(cls, settings: Settings) -> Backend:
        return cls(settings, Assistant.open(settings.index_dir, settings))

    @property
    def assistant(self) -> Assistant:
        return self._assistant

    def reload(self) -> None:
        """Open the index again (after an ingest) and switch to it.

        Older handles are not closed here: a request may still run on one (an LLM answer
        can take a minute, several uploads may finish meanwhile). Each closes its SQLite
        connection when the last request using it lets go of it (garbage collection)."""
        fresh = Assistant.open(self.settings.index_dir, self.settings)
        with self._swap_lock:
            self._retired = [self._assistant]
            self._assistant = fresh
            self._doc_cache = {}

    def close(self) -> None:
        with self._swap_lock:
            for a in [*self._retired, self._assistant]:
                a.close()
            self._retired = []

    def warm_up(self) -> None:
        """Load the embedder, the segmenter and the answerer before the first user arrives."""
        self.search("khởi động", k=1)
        if hasattr(self._assistant, "ask"):
            self._assistant.ask("Mục tiêu là gì?")

    # --- reading --------------------------------------------------------------------------
    def search(self, query: str, k: int = 10, filters: Filters | None = None, mode: str = "hybrid") -> list[Hit]:
        return self._assistant.search(query, k=k, filters=filters, mode=mode)

    def ask(self, question: str, history: list[Turn] | None = None, filters: Filters | None = None) -> Answer:
        a = self._assistant
        if hasattr(a, "ask"):
            return a.ask(question, history=history or None, filters=filters)
        return _stopgap_answer(question, a.search(question, k=3, filters=filters))

    def documents(self) -> list[DocRow]:
        return [DocRow(d, s, m, n) for d, s, m, n in self._assistant.documents()]

    def document(self, doc_id: str) -> Document | None:
        cache = self._doc_cache
        if doc_id not in cache:
            if len(cache) > 64:
                cache.clear()
            cache[doc_id] = self._assistant.document(doc_id)
        return cache[doc_id]

    def filter_choices(self) -> dict[str, list]:
        rows = self.documents()
        return {
            "doc": [(f"{_short(r)}", r.doc_id) for r in rows],
            "doc_type": sorted({r.meta.doc_type for r in rows if r.meta.doc_type}),
            "issuer": sorted({r.meta.issuer for r in rows if r.meta.issuer}),
            "province": sorted({r.meta.province for r in rows if r.meta.province}),
            "year": sorted({r.meta.year for r in rows if r.meta.year}, reverse=True),
        }

    # --- uploading ------------------------------------------------------------------------
    @property
    def uploads_dir(self) -> Path:
        return Path(self.settings.index_dir) / UPLOADS

    def validate(self, path: Path, name: str) -> str | None:
        """Why ``path`` cannot be ingested, in Vietnamese, or None."""
        if any(ord(c) < 32 or ord(c) == 127 for c in name) or len(name.encode("utf-8", "replace")) > 200:
            return "tên tệp chứa ký tự điều khiển hoặc quá dài (tối đa 200 byte); hãy đổi tên tệp"
        suffix = Path(name).suffix.lower()
        if name.lower().endswith(".meta.json"):
            size = path.stat().st_size
            if size > MAX_SIDECAR_BYTES:
                return f"tệp siêu dữ liệu quá lớn ({size:,} byte; tối đa {MAX_SIDECAR_BYTES:,})"
            return None
        if suffix not in supported_suffixes():
            allowed = ", ".join(supported_suffixes())
            return f"định dạng {suffix or '(không có đuôi)'} chưa được hỗ trợ (hỗ trợ: {allowed})"
        size = path.stat().st_size
        if size == 0:
            return "tệp rỗng"
        if size > self.settings.max_file_bytes:
            return f"tệp quá lớn ({size:,} byte; tối đa {self.settings.max_file_bytes:,})"
        return None

    def _stage(
        self, files: list[tuple[Path, str]], dest: Path, result: UploadResult
    ) -> tuple[dict[Path, tuple[str, bytes | None]], list[Path]]:
        """Copy valid uploads into ``dest``: (target -> (name, earlier bytes)), documents."""
        staged: dict[Path, tuple[str, bytes | None]] = {}
        docs: list[Path] = []
        for tmp, name in files:
            name = Path(name).name
            problem = self.validate(Path(tmp), name)
            if problem:
                result.files.append(FileResult(name, False, problem))
                continue
            target = dest / name
            previous = target.read_bytes() if target.is_file() else None
            shutil.copyfile(tmp, target)
            staged[target] = (name, previous)
            if not is_sidecar(target):
                docs.append(target)
        return staged, docs

    def ingest_uploads(self, files: list[tuple[Path, str]], say: Say) -> UploadResult:
        """Validate, stage and ingest uploaded files (temporary path, original name).

        Files that fail are reported one line each and removed from staging (a file
        that replaced an earlier upload of the same name gets the earlier bytes back),
        so nothing already indexed is lost. Then the index is reopened."""
        result = UploadResult()
        dest = self.uploads_dir
        dest.mkdir(parents=True, exist_ok=True)
        staged, docs = self._stage(files, dest, result)
        _add_companions(staged, docs, dest)
        if not docs:  # only sidecars, and no document of theirs uploaded yet: keep them, and say so
            for name, _ in staged.values():
                result.files.append(FileResult(name, True, "siêu dữ liệu đã lưu; chưa có văn bản cùng tên, sẽ áp dụng khi văn bản được nạp"))
            return result
        say(f"Đang nạp {len(docs)} tệp…")
        try:
            report = ingest_for(self.settings)(docs, self.settings, skip_errors=True, progress=True, say=say)
        except AssistantError:
            for target, (_, previous) in staged.items():
                _restore(target, previous)
            raise
        result.report = report
        failed = {}
        for line in report.errors:
            for target in docs:
                if str(target) in line or line.startswith(target.name):
                    failed[target] = line.split(": ", 1)[-1] if ": " in line else line
        for target in docs:
            if target not in staged:
                continue
            name, previous = staged[target]
            if target in failed:
                _restore(target, previous)
                result.files.append(FileResult(name, False, failed[target]))
            else:
                result.files.append(FileResult(name, True, "đã nạp"))
        for target, (name, _) in staged.items():
            if target not in docs:
                result.files.append(FileResult(name, True, "siêu dữ liệu đã lưu (áp dụng cho văn bản cùng tên)"))
        if report.published:
            say("Đang mở lại chỉ mục…")
            self.reload()
        return result


def _add_companions(staged: dict[Path, tuple[str, bytes | None]], docs: list[Path], dest: Path) -> None:
    """A sidecar alone re-ingests its document, if that was uploaded before. Names are
    taken literally: "[a-z].meta.json" describes "[a-z].txt", not a glob."""
    for target in list(staged):
        if not is_sidecar(target):
            continue
        for companion in sorted(c for c in dest.iterdir() if sidecar_for(c) == target):
            if companion not in docs and not is_sidecar(companion) and companion.suffix.lower() in supported_suffixes():
                docs.append(companion)


def _restore(target: Path, previous: bytes | None) -> None:
    if previous is None:
        target.unlink(missing_ok=True)
    else:
        target.write_bytes(previous)


def _short(row: DocRow) -> str:
    from assistant.citations import document_reference

    ref = document_reference(row.meta, fallback_title=row.doc_id)
    return ref if len(ref) <= 110 else ref[:107] + "…"


def _stopgap_answer(question: str, hits: list[Hit]) -> Answer:
    """Until ``Assistant.ask`` lands: quote the best passage, cited. Not an answerer."""
    if not hits:
        return Answer(question=question, text="Không tìm thấy căn cứ trong các văn bản đã nạp.", abstained=True)
    h = hits[0]
    p = h.passage
    c = Citation(
        n=1, passage_id=p.id, doc_id=p.doc_id, quote=p.text, start=p.start, end=p.end,
        section=p.section_label, paragraph=p.paragraph, citation=h.citation,
    )
    return Answer(question=question, text=f"{p.text} [1]", abstained=False, citations=[c], hits=hits)
