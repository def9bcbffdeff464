"""Tab "Nạp văn bản": upload files; validated, ingested incrementally with progress.

Choosing files shows the header the parser reads from each (type, số hiệu, date, issuer,
signer...), each value with the words of the text it was read from, so staff can confirm
it before they press "Nạp văn bản" (the same report as ``assistant parse``)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from pathlib import Path

import assistant  # noqa: F401  (offline environment before gradio is imported)
import gradio as gr

from assistant.errors import AssistantError
from assistant.loaders import is_sidecar, supported_suffixes

from . import render
from .service import Backend

log = logging.getLogger(__name__)
RESULT_COLUMNS = ["Tệp", "Kết quả", "Chi tiết"]
PREVIEW_COLUMNS = ["Tệp", "Trường", "Giá trị đọc được", "Trích từ văn bản"]


@dataclass
class UploadTab:
    files: gr.File
    button: gr.Button
    status: gr.HTML
    results: gr.Dataframe
    preview: gr.Dataframe


def preview_rows(paths: list[str] | None) -> list[list[str]]:
    """The parsed header of each chosen file, for confirmation before ingest."""
    from assistant.parse_report import header_rows, parse_documents, warnings_for

    rows: list[list[str]] = []
    for p in paths or []:
        path = Path(p)
        if is_sidecar(path):
            continue
        try:
            docs = parse_documents(path)
        except AssistantError as exc:
            rows.append([path.name, "Lỗi", str(exc).replace(str(path), path.name), ""])
            continue
        except Exception:
            log.exception("preview failed for %s", path.name)
            rows.append([path.name, "Lỗi", "không đọc được tệp", ""])
            continue
        for doc, _parsed in docs:
            name = path.name if len(docs) == 1 else f"{path.name} [{doc.id}]"
            for label, value, quote in header_rows(doc):
                rows.append([name, label, value, quote])
            for w in warnings_for(doc):
                rows.append([name, "Cảnh báo", w, ""])
    return rows


def _status(text: str, ok: bool = True) -> str:
    cls = "up-ok" if ok else "up-err"
    return f'<div class="up-status {cls}">{render.esc(text)}</div>'


def build(backend: Backend) -> tuple[UploadTab, Callable[..., Any]]:
    suffixes = supported_suffixes()
    gr.Markdown(
        "Tải lên văn bản mới (định dạng: " + ", ".join(f"`{s}`" for s in suffixes) + "; kèm tệp `.meta.json` "
        "cùng tên nếu cần bổ sung siêu dữ liệu). Văn bản được kiểm tra, nạp bổ sung vào chỉ mục và tìm kiếm được "
        "ngay; tệp lỗi được báo riêng, các văn bản đã nạp không bị ảnh hưởng."
    )
    files = gr.File(
        label="Chọn tệp", file_count="multiple", file_types=[*suffixes, ".json"], type="filepath", elem_id="upload-files"
    )
    preview = gr.Dataframe(
        headers=PREVIEW_COLUMNS, datatype=["str"] * 4, interactive=False, wrap=True,
        label="Phần đầu văn bản đọc được (kiểm tra trước khi nạp)", elem_id="upload-preview",
    )
    files.change(preview_rows, [files], [preview], api_visibility="private")
    button = gr.Button("Nạp văn bản", variant="primary", elem_id="upload-button")
    status = gr.HTML(_status("Chưa có tệp nào được nạp trong phiên này."), elem_id="upload-status")
    results = gr.Dataframe(
        headers=RESULT_COLUMNS, datatype=["str"] * 3, interactive=False, wrap=True, label="Kết quả từng tệp",
        elem_id="upload-results",
    )

    def run(paths: list[str] | None, progress=gr.Progress(track_tqdm=True)):  # noqa: B008 - Gradio idiom
        if not paths:
            return _status("Chưa chọn tệp nào.", ok=False), gr.skip()
        progress(0.05, desc="Đang kiểm tra tệp…")

        def say(msg: str) -> None:
            progress(None, desc=msg)

        pairs = [(Path(p), Path(p).name) for p in paths]
        try:
            result = backend.ingest_uploads(pairs, say)
        except AssistantError as exc:
            return _status(f"Không nạp được: {exc}", ok=False), gr.skip()
        except Exception:
            log.exception("upload failed")
            return _status("Đã xảy ra lỗi khi nạp; chỉ mục hiện tại không thay đổi.", ok=False), gr.skip()
        progress(1.0, desc="Xong")
        rows = [[f.name, "Thành công" if f.ok else "Lỗi", f.detail] for f in result.files]
        failed = sum(1 for f in result.files if not f.ok)
        total = len(backend.documents())
        msg = f"Đã nạp {result.added} tệp, {failed} tệp lỗi. Kho hiện có {total} văn bản."
        return _status(msg, ok=failed == 0), rows

    return UploadTab(files, button, status, results, preview), run
