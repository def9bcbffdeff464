"""Ingest: files -> documents -> passages -> analyzed + embedded -> a new index version.

Incremental: a source whose bytes (and sidecar) are unchanged keeps its documents,
tokens and vectors from the live index; changed sources are re-read; sources that are
gone from an ingested directory are dropped. Any change of embedder or index-shaping
settings rebuilds everything. Nothing is published unless the whole build succeeds.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import sqlite3
import sys
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .chunking import chunk_document
from .documents import Document, Passage
from .embeddings import LazyEmbedder, embedder_name, make_embedder
from .errors import AssistantError, IndexCorrupt, IndexMissing, LoadError
from .index.checkpoint import EmbeddingCache, EmbedStats, embed_in_chunks
from .index.docstore import Docstore, document_from_dict, document_to_dict
from .index.layout import collect_garbage, new_version_dir, publish
from .index.manifest import Manifest, SourceEntry
from .index.store import DOCSTORE, IndexStore, finish_build
from .loaders import (
    LoadedText,
    NoTextLayer,
    check_regular_file,
    is_sidecar,
    load_path,
    read_sidecar_bytes,
    sidecar_path,
    supported_suffixes,
)
from .loaders.bounded import bounded_available, run_bounded
from .settings import Settings
from .structure import parse_structure
from .targets.table import update_table as update_targets
from .text import Analyzer

Progress = Callable[[str], None]


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # one line each: "<path>: <problem>"
    skipped: list[str] = field(default_factory=list)  # readable by design only with OCR: reported, not fatal
    documents: int = 0
    passages: int = 0
    new_passages: int = 0
    seconds: float = 0.0
    published: bool = False
    note: str = ""

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, {len(self.unchanged)} unchanged, "
            f"{len(self.removed)} removed, {len(self.skipped)} skipped, {len(self.errors)} failed; "
            f"{self.documents} documents, {self.passages} passages in the index ({self.seconds:.1f}s)"
        )


# --- discovering sources ---------------------------------------------------------------
SKIP_NAMES = {"readme.md", "readme.txt"}


@dataclass
class Discovery:
    files: list[Path] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # one line each, fatal unless --skip-errors
    notes: list[str] = field(default_factory=list)  # reported, not fatal (a sidecar with no document)


def shown(path: Path | str) -> str:
    """A path as it can be printed: bytes that are not UTF-8 as ``\\xff`` escapes."""
    return os.fsencode(str(path)).decode("utf-8", "backslashreplace")


def _name_error(path: Path) -> str | None:
    try:
        os.fsencode(str(path)).decode("utf-8")
    except UnicodeDecodeError:
        return f"{shown(path)}: file name is not valid UTF-8; rename the file"
    return None


def _inside(real: Path, roots: list[Path]) -> bool:
    return any(real == r or r in real.parents for r in roots)


def discover(paths: list[Path], follow_symlinks: bool = False) -> Discovery:
    """Expand directories into supported files.

    A file whose real path (after symbolic links) lies outside the folders given is
    refused unless ``follow_symlinks``: a link in the corpus must not bring in
    /etc/shadow. Names that are not UTF-8 are refused one line each, and a sidecar
    with no document next to it is reported, so nothing is ignored silently.
    """
    found = Discovery()
    suffixes = set(supported_suffixes())
    roots = [p.resolve() for p in paths if p.is_dir()] + [p.parent.resolve() for p in paths if not p.is_dir()]

    def take(f: Path) -> None:
        problem = _name_error(f)
        if problem is None and not follow_symlinks and not _inside(f.resolve(), roots):
            problem = f"{f}: links to {f.resolve()}, outside the folders given to ingest; refused (pass --follow-symlinks to allow)"
        if problem:
            found.errors.append(problem)
        else:
            found.files.append(f)

    for path in paths:
        if path.is_dir():
            before = len(found.files) + len(found.errors)
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path)
                if any(part.startswith(".") for part in rel.parts):
                    continue
                if is_sidecar(child):
                    stem = child.name[: -len(".meta.json")]
                    if child.is_file() and not any(child.with_name(stem + s).is_file() for s in _case_variants(suffixes)):
                        found.notes.append(f"{shown(child)}: metadata sidecar with no document named {shown(stem)}.* next to it; ignored")
                    continue
                if not child.is_file() or child.name.lower() in SKIP_NAMES:
                    continue
                if child.suffix.lower() in suffixes:
                    take(child)
            if len(found.files) + len(found.errors) == before:
                found.errors.append(f"{path}: no documents found (supported: {', '.join(sorted(suffixes))})")
        elif path.exists() or path.is_symlink():
            take(path)
        else:
            found.errors.append(f"{shown(path)}: no such file or directory")
    return found


def _case_variants(suffixes: set[str]) -> set[str]:
    return suffixes | {s.upper() for s in suffixes}


def source_key(path: Path) -> str:
    """The manifest key of a source: the path as given (made absolute, relative to the
    working directory when inside it), not its resolved target, so that deleting a link
    removes the document it brought in."""
    absolute = Path(os.path.abspath(path))
    try:
        return str(absolute.relative_to(Path(os.getcwd())))
    except ValueError:
        return str(absolute)


def _hash_file(h: "hashlib._Hash", path: Path, max_bytes: int) -> None:
    check_regular_file(path, max_bytes)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)


def source_hash(path: Path, max_bytes: int = 50_000_000) -> str:
    """SHA-256 of the file and its sidecar, streamed; size and file type are checked
    with ``stat`` first, so a 3 GiB file or /dev/zero is refused before a byte is read."""
    h = hashlib.sha256()
    _hash_file(h, path, max_bytes)
    side = sidecar_path(path)
    if side is not None:
        h.update(b"\0sidecar\0" + read_sidecar_bytes(side))
    return h.hexdigest()


# --- documents ------------------------------------------------------------------------
def _slug(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z._-]+", "-", text).strip("-") or "doc"


def unique_id(base: str, taken: set[str]) -> str:
    """``base``, or ``base-2``, ``base-3``... whichever is not taken yet; records it as taken."""
    doc_id, n = base, 2
    while doc_id in taken:
        doc_id = f"{base}-{n}"
        n += 1
    taken.add(doc_id)
    return doc_id


def make_document(loaded: LoadedText, doc_id: str) -> Document:
    parsed = parse_structure(loaded.text)
    meta = parsed.meta.merged_with_sidecar(loaded.metadata)
    return Document(
        id=doc_id,
        source=loaded.source,
        text=loaded.text,
        meta=meta,
        sections=parsed.sections,
        paragraphs=parsed.paragraphs,
        blocks=parsed.blocks,
    )


def _read_documents(path: Path, settings: Settings) -> list[Document]:
    """Load and parse one source file into documents (ids not yet made unique)."""
    return [make_document(item, item.doc_id or _slug(path.stem)) for item in load_path(path, max_bytes=settings.max_file_bytes)]


def read_documents(path: Path, settings: Settings) -> list[Document]:
    """``_read_documents`` within the per-file time and memory budget (a forked child,
    see loaders/bounded.py): a file that would hang or exhaust memory is a one-line
    ``LoadError`` and the ingest goes on with the next file."""
    if settings.load_memory_mb <= 0 or not bounded_available():
        return _read_documents(path, settings)
    try:
        megabytes = os.stat(path).st_size / 1e6
    except OSError:
        megabytes = 0.0
    rows = run_bounded(
        lambda: [document_to_dict(d) for d in _read_documents(path, settings)],
        shown(path),
        timeout_s=settings.load_timeout_s + settings.load_seconds_per_mb * megabytes,
        memory_bytes=settings.load_memory_mb * 2**20,
        error_kinds={"NoTextLayer": NoTextLayer},
    )
    return [document_from_dict(r) for r in rows]


def embedding_text(doc: Document, passage: Passage, with_headings: bool) -> str:
    """What the embedder sees: the passage, prefixed by its document and section titles
    so that a paragraph that never repeats its subject still matches questions about it."""
    if not with_headings:
        return passage.text
    context = [doc.meta.title] + list(passage.headings)
    prefix = " / ".join(c for c in context if c)
    return f"{prefix}\n{passage.text}" if prefix else passage.text


# --- the build --------------------------------------------------------------------------
class _Lock:
    """One ingest at a time per index directory."""

    def __init__(self, root: Path):
        root.mkdir(parents=True, exist_ok=True)
        self.fh = open(root / ".lock", "w")

    def __enter__(self) -> "_Lock":
        try:
            fcntl.flock(self.fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.fh.close()
            raise AssistantError("another ingest is running on this index; try again when it ends") from None
        return self

    def __exit__(self, *exc: object) -> None:
        fcntl.flock(self.fh, fcntl.LOCK_UN)
        self.fh.close()


def _open_previous(root: Path, settings: Settings, embedder_name: str, rebuild: bool, say: Progress) -> IndexStore | None:
    if rebuild:
        return None
    try:
        store = IndexStore.open(root)
    except IndexMissing:
        return None
    except IndexCorrupt as exc:
        say(f"warning: {exc}; building a new index from the sources")
        return None
    m = store.manifest
    if m.embedder != embedder_name or m.dimension <= 0:
        say(f"embedder changed ({m.embedder} -> {embedder_name}): rebuilding the whole index")
        store.close()
        return None
    if m.settings_hash != settings.index_hash():
        say("chunking/embedding settings changed: rebuilding the whole index")
        store.close()
        return None
    return store


def _embedder(settings: Settings):
    """The embedder, loaded only when a passage needs a vector (``LazyEmbedder``): an ingest
    with nothing new to embed never builds the model."""
    name = embedder_name(settings)
    if name is None:
        return make_embedder(settings)
    return LazyEmbedder(settings, name, loader=lambda: make_embedder(settings))


# --- 1. plan: what changed ----------------------------------------------------------------
@dataclass
class Plan:
    """Sources kept as they are (with their old manifest entries) and sources to (re)read."""

    keep: dict[str, SourceEntry] = field(default_factory=dict)
    todo: list[tuple[str, Path, str]] = field(default_factory=list)  # (key, path, sha256)
    old_sources: dict[str, SourceEntry] = field(default_factory=dict)


def scan(paths: list[Path], settings: Settings, follow_symlinks: bool, report: IngestReport) -> dict[str, tuple[Path, str]]:
    """Discover the files and hash them (stat-checked, streamed): key -> (path, sha256)."""
    found = discover(paths, follow_symlinks)
    report.errors, report.skipped = found.errors, found.notes
    hashes: dict[str, tuple[Path, str]] = {}
    for f in found.files:
        try:
            hashes[source_key(f)] = (f, source_hash(f, settings.max_file_bytes))
        except LoadError as exc:
            report.errors.append(str(exc))
        except OSError as exc:
            report.errors.append(f"{f}: cannot read ({exc.strerror or exc})")
    return hashes


def plan_changes(
    paths: list[Path], hashes: dict[str, tuple[Path, str]], previous: IndexStore | None, report: IngestReport
) -> Plan:
    plan = Plan(old_sources=previous.manifest.sources if previous else {})
    scanned_dirs = [source_key(p) for p in paths if p.is_dir()]
    named = {source_key(p) for p in paths}
    for key, (path, digest) in hashes.items():
        old = plan.old_sources.get(key)
        if old and old.sha256 == digest:
            plan.keep[key] = old
            report.unchanged.append(key)
        else:
            plan.todo.append((key, path, digest))
            (report.updated if old else report.added).append(key)
    for key, entry in plan.old_sources.items():
        if key in hashes:
            continue
        under_scanned = any(key == d or key.startswith(d.rstrip("/") + "/") for d in scanned_dirs)
        if under_scanned or key in named:
            report.removed.append(key)
        else:
            plan.keep[key] = entry
    return plan


def _nothing_to_do(report: IngestReport, previous: IndexStore | None, skip_errors: bool) -> bool:
    """Set the note of an ingest that ends here: refused (errors), or already up to date.
    Either way the live index is the previous one, and the summary counts what it holds."""
    refused = bool(report.errors and not skip_errors)
    unchanged = bool(previous and not (report.added or report.updated or report.removed))
    if not (refused or unchanged):
        return False
    if previous:
        report.documents = len(previous.metas)
        report.passages = len(previous.passages)
    report.note = "nothing was changed: fix or remove the files above, or pass --skip-errors" if refused else "index is up to date"
    return True


# --- 2. load changed files ------------------------------------------------------------------
def load_changed(
    plan: Plan, store: Docstore, settings: Settings, report: IngestReport
) -> tuple[dict[str, SourceEntry], int]:
    """Read and parse each changed source, writing its documents to the new docstore at once
    (no parsed document is held after its file). Returns the new manifest entries and the
    number of passages the new documents make. Every file is read before anything is
    embedded, so a bad file still stops the ingest within seconds."""
    taken_ids = {d for e in plan.keep.values() for d in e.doc_ids}
    entries: dict[str, SourceEntry] = {}
    passages = 0
    for key, path, digest in plan.todo:
        try:
            docs = read_documents(path, settings)
        except LoadError as exc:
            (report.skipped if isinstance(exc, NoTextLayer) else report.errors).append(str(exc))
            report.added = [k for k in report.added if k != key]
            report.updated = [k for k in report.updated if k != key]
            if key in plan.old_sources:  # keep the old version of a file that now fails
                plan.keep[key] = plan.old_sources[key]
            continue
        for doc in docs:
            doc.id = unique_id(doc.id, taken_ids)
            store.add_document(doc)
            passages += len(chunk_document(doc, settings.passage_max_words, settings.passage_min_words))
        entries[key] = SourceEntry(sha256=digest, doc_ids=[d.id for d in docs])
    return entries, passages


def new_passages(store: Docstore, doc_ids: list[str], settings: Settings) -> Iterator[tuple[Passage, str]]:
    """The passages of the new documents, with the text the embedder will see, made one
    document at a time from the build's docstore (what ``load_changed`` wrote): the build
    holds one chunk of passages, not all of them (60k passages were ~180 MB)."""
    for doc_id in doc_ids:
        doc = store.document(doc_id)
        if doc is None:
            continue
        for p in chunk_document(doc, settings.passage_max_words, settings.passage_min_words):
            yield p, embedding_text(doc, p, settings.embed_with_headings)


# --- 3. build: copy what is kept, analyse and embed what is new, derive the indexes -----------
@dataclass
class _Build:
    directory: Path
    store: Docstore
    cache: EmbeddingCache | None = None


def _copy_kept(build: _Build, previous: IndexStore | None, plan: Plan, manifest: Manifest) -> int:
    """Unchanged documents: text, structure, tokens and vectors copied; returns the next row."""
    row = 0
    prev_passages = {p.id: p for p in previous.passages} if previous else {}
    for key, entry in sorted(plan.keep.items()):
        assert previous is not None
        for doc_id in entry.doc_ids:
            doc = previous.docstore.document(doc_id)
            if doc is None:
                continue
            build.store.add_document(doc)
            rows = []
            for pid, toks, folded, vec in previous.docstore.analyzed_for_doc(doc_id):
                rows.append((row, prev_passages[pid], toks, folded, vec))
                row += 1
            build.store.add_passages(rows)
        manifest.sources[key] = entry
    return row


def _embed_new(build: _Build, root: Path, settings: Settings, embedder, doc_ids: list[str], total: int,
               row: int, progress: bool, say: Progress) -> int:  # fmt: skip
    """Analyse and embed the new passages chunk by chunk (checkpointed, see index/checkpoint.py),
    streamed from the docstore: the chunks are those of the whole list (same batches, same
    vectors), but only the chunk in flight is in memory. Returns the number of passages."""
    say(f"analyzing and embedding {total} passages with {embedder.name}")
    if settings.embed_checkpoint:
        build.cache = EmbeddingCache.for_index(root, embedder.name, embedder.dimension)
    stats = EmbedStats()
    analyzer = Analyzer()
    waiting: deque[Passage] = deque()  # the passages whose texts embed_in_chunks has taken

    def texts() -> Iterator[str]:
        for passage, text in new_passages(build.store, doc_ids, settings):
            waiting.append(passage)
            yield text

    done = 0
    for start, vectors in embed_in_chunks(embedder, texts(), build.cache, settings.ingest_chunk, progress, stats,
                                          total=total):  # fmt: skip
        part = [waiting.popleft() for _ in range(len(vectors))]
        analyses = analyzer.analyze_many([p.text for p in part])
        build.store.add_passages(
            (row + start + i, p, a.tokens, a.folded, vectors[i]) for i, (p, a) in enumerate(zip(part, analyses))
        )
        done += len(part)
    if stats.reused:
        say(f"resumed: {stats.reused} of {stats.total} passages were already embedded (checkpoint)")
    return done


# --- 4. publish -------------------------------------------------------------------------------
def _publish(root: Path, build: _Build, report: IngestReport) -> None:
    publish(root, build.directory)
    report.published = True
    if build.cache is not None:  # the checkpoint is only for unfinished builds
        build.cache.remove()
        build.cache = None


def ingest(
    paths: list[Path] | None = None,
    settings: Settings | None = None,
    *,
    rebuild: bool = False,
    skip_errors: bool = False,
    follow_symlinks: bool = False,
    progress: bool = True,
    say: Progress | None = None,
    embedder=None,
) -> IngestReport:
    """Bring the index up to date with ``paths`` (default: the corpus directory):
    plan (what changed), load changed files, build, publish.

    Bad files are reported one line each. Unless ``skip_errors``, any error aborts the
    build and the live index is left exactly as it was. Files whose real path is outside
    the folders given are refused unless ``follow_symlinks``. Nothing is published unless
    the whole build succeeds; a failed build's directory is removed.
    ``embedder``: one to use instead of the settings' (it must bear the settings' embedder
    name, e.g. a ``CachedEmbedder`` around it, as benchmarks use).
    """
    settings = settings or Settings()
    say = say or (lambda msg: print(msg, file=sys.stderr))
    t0 = time.perf_counter()
    paths = [Path(p) for p in (paths or [settings.corpus_dir])]
    root = Path(settings.index_dir)
    report = IngestReport()
    hashes = scan(paths, settings, follow_symlinks, report)

    with _Lock(root):
        collect_garbage(root)
        if embedder is None:
            embedder = _embedder(settings)
        elif (expected := embedder_name(settings)) is not None and embedder.name != expected:
            raise AssistantError(f"embedder {embedder.name} given, the settings name {expected}")
        previous = _open_previous(root, settings, embedder.name, rebuild, say)
        build: _Build | None = None
        try:
            plan = plan_changes(paths, hashes, previous, report)
            if not plan.todo and _nothing_to_do(report, previous, skip_errors):
                return report
            try:
                directory = new_version_dir(root)
            except OSError as exc:
                raise AssistantError(f"{root}: cannot create a new index version ({exc.strerror or exc})") from None
            try:
                build = _Build(directory, Docstore(directory / DOCSTORE, create=True))
                entries, passages = load_changed(plan, build.store, settings, report)
                if _nothing_to_do(report, previous, skip_errors):
                    build.store.close()
                    shutil.rmtree(directory, ignore_errors=True)
                    return report
                dimension = previous.manifest.dimension if previous else embedder.dimension
                manifest = Manifest(embedder=embedder.name, dimension=dimension, settings_hash=settings.index_hash())
                row = _copy_kept(build, previous, plan, manifest)
                manifest.sources.update(entries)
                if passages:
                    new_ids = [d for e in entries.values() for d in e.doc_ids]
                    report.new_passages = _embed_new(build, root, settings, embedder, new_ids, passages, row,
                                                     progress, say)  # fmt: skip
                # the table of targets and results (chỉ tiêu), kept in the docstore: targets/table.py
                update_targets(build.store.iter_documents(), build.store.conn,
                               previous.docstore.conn if previous else None, say)  # fmt: skip
                finish_build(directory, build.store, manifest, settings.hnsw_threshold)
                if previous:
                    previous.close()
                    previous = None
                _publish(root, build, report)
            except BaseException as exc:
                shutil.rmtree(directory, ignore_errors=True)
                if isinstance(exc, (OSError, sqlite3.Error)):  # disk full, I/O error: one line, not a traceback
                    reason = getattr(exc, "strerror", None) or str(exc)
                    raise AssistantError(
                        f"{root}: cannot write the new index ({reason}); the index in use is still the previous complete one"
                    ) from None
                raise
            report.documents = sum(len(e.doc_ids) for e in manifest.sources.values())
            report.passages = manifest.passages
        finally:
            if previous:
                previous.close()
            if build is not None and build.cache is not None:  # keep the checkpoint file for the next run
                build.cache.close()
            report.seconds = time.perf_counter() - t0
    return report


def index_exists(root: Path) -> bool:
    return (root / "CURRENT").is_file() and os.path.getsize(root / "CURRENT") > 0
