"""Tab "Văn bản": the list of documents with their parsed metadata, and the viewer."""

from __future__ import annotations

from dataclasses import dataclass

import assistant  # noqa: F401  (offline environment before gradio is imported)
import gradio as gr

from assistant.citations import format_date

from . import render
from .js import VIEWER_JS
from .service import Backend

COLUMNS = ["Mã", "Loại", "Số hiệu", "Ngày", "Cơ quan ban hành", "Tỉnh/thành", "Người ký", "Số đoạn", "Trích yếu"]
EMPTY_VIEWER = '<div class="src-empty">Chọn một văn bản trong danh sách để xem toàn văn.</div>'


@dataclass
class DocumentsTab:
    table: gr.Dataframe
    picker: gr.Dropdown
    viewer: gr.HTML


def table_rows(backend: Backend) -> list[list]:
    return [
        [
            r.doc_id, r.meta.doc_type, r.meta.number, format_date(r.meta.date), r.meta.issuer,
            r.meta.province, r.meta.signer, r.passages, r.meta.title,
        ]
        for r in backend.documents()
    ]


def picker_choices(backend: Backend) -> list[tuple[str, str]]:
    return backend.filter_choices()["doc"]


def viewer_html(backend: Backend, doc_id: str | None, focus: tuple[int, int] | None = None) -> str:
    if not doc_id:
        return EMPTY_VIEWER
    doc = backend.document(doc_id)
    if doc is None:
        return f'<div class="src-empty">Không tìm thấy văn bản {render.esc(doc_id)}.</div>'
    return '<div class="vb-scroll">' + render.render_document(doc, focus) + "</div>"


def build(backend: Backend) -> DocumentsTab:
    gr.Markdown("Danh sách văn bản đã nạp. Chọn một dòng để xem toàn văn, có mục lục và neo cho từng mục, từng đoạn.")
    table = gr.Dataframe(
        value=table_rows(backend),
        headers=COLUMNS,
        datatype=["str"] * len(COLUMNS),
        interactive=False,
        wrap=True,
        max_height=320,
        label="Văn bản",
        elem_id="doc-table",
    )
    picker = gr.Dropdown(choices=picker_choices(backend), value=None, label="Xem văn bản", elem_id="doc-picker")
    viewer = gr.HTML(EMPTY_VIEWER, js_on_load=VIEWER_JS, elem_id="doc-viewer", padding=False)

    def pick_row(evt: gr.SelectData):
        row = evt.row_value or []
        if not row:
            return gr.skip(), gr.skip()
        return row[0], viewer_html(backend, row[0])

    table.select(pick_row, None, [picker, viewer], api_visibility="private")
    picker.input(lambda d: viewer_html(backend, d), picker, viewer, api_visibility="private")
    return DocumentsTab(table, picker, viewer)
