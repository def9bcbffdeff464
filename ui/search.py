"""Tab "Tìm kiếm": search passages by meaning, with filters and a CSV export."""

from __future__ import annotations

import csv
import tempfile
from dataclasses import dataclass
import assistant  # noqa: F401  (offline environment before gradio is imported)
import gradio as gr

from assistant.documents import Hit
from assistant.errors import AssistantError
from assistant.retrieval import Filters

from . import render
from .js import SOURCES_JS
from .service import Backend

MODES = [("Kết hợp (ngữ nghĩa + từ khóa)", "hybrid"), ("Theo ngữ nghĩa", "dense"), ("Theo từ khóa", "lexical")]
CSV_COLUMNS = ["Hạng", "Điểm", "Mã văn bản", "Trích dẫn", "Mục", "Đoạn", "Nội dung"]


@dataclass
class SearchTab:
    query: gr.Textbox
    button: gr.Button
    doc: gr.Dropdown
    doc_type: gr.Dropdown
    issuer: gr.Dropdown
    province: gr.Dropdown
    year: gr.Dropdown
    results: gr.HTML
    csv: gr.DownloadButton

    @property
    def filters(self) -> list[gr.Dropdown]:
        return [self.doc, self.doc_type, self.issuer, self.province, self.year]


def _cell(value: object) -> object:
    """Keep a spreadsheet from reading document text as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "@", "\t", "\r") or (
        isinstance(value, str) and value.startswith("-") and not value.startswith("- ")
    ):
        return "'" + value
    return value


def write_csv(hits: list[Hit], directory: str | None = None) -> str:
    """The results as UTF-8 CSV (with BOM, so spreadsheet programs read Vietnamese right)."""
    fh = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, kept for download
        "w", delete=False, suffix=".csv", prefix="ket-qua-tim-kiem-", encoding="utf-8-sig", newline="", dir=directory
    )
    with fh:
        w = csv.writer(fh)
        w.writerow(CSV_COLUMNS)
        for h in hits:
            w.writerow(
                [_cell(v) for v in (
                    h.rank, f"{h.score:.6f}", h.passage.doc_id, h.citation,
                    h.passage.section_label, h.passage.paragraph, h.passage.text,
                )]
            )
    return fh.name


def make_filters(doc, doc_type, issuer, province, year) -> Filters:
    return Filters(
        doc=list(doc) if doc else None,
        doc_type=doc_type or None,
        issuer=issuer or None,
        province=province or None,
        year=int(year) if year else None,
    )


def filter_updates(backend: Backend) -> list:
    c = backend.filter_choices()
    return [
        gr.Dropdown(choices=c["doc"]),
        gr.Dropdown(choices=c["doc_type"]),
        gr.Dropdown(choices=c["issuer"]),
        gr.Dropdown(choices=c["province"]),
        gr.Dropdown(choices=[str(y) for y in c["year"]]),
    ]


def build(backend: Backend) -> SearchTab:
    c = backend.filter_choices()
    with gr.Row(equal_height=False):
        query = gr.Textbox(
            label="Nội dung cần tìm", placeholder="Ví dụ: phát triển làng nghề", scale=6, elem_id="search-query"
        )
        button = gr.Button("Tìm kiếm", variant="primary", scale=1, elem_id="search-button")
    with gr.Accordion("Bộ lọc (để trống = tất cả)", open=True):
        with gr.Row():
            doc = gr.Dropdown(
                choices=c["doc"], value=None, multiselect=True, label="Văn bản", scale=3, elem_id="filter-doc"
            )
            doc_type = gr.Dropdown(choices=c["doc_type"], value=None, label="Loại văn bản", elem_id="filter-type")
            issuer = gr.Dropdown(
                choices=c["issuer"], value=None, label="Cơ quan ban hành", allow_custom_value=True, elem_id="filter-issuer"
            )
            province = gr.Dropdown(choices=c["province"], value=None, label="Tỉnh/thành", elem_id="filter-province")
            year = gr.Dropdown(choices=[str(y) for y in c["year"]], value=None, label="Năm", elem_id="filter-year")
        with gr.Row(equal_height=True):
            mode = gr.Radio(MODES, value="hybrid", label="Cách tìm", scale=3)
            k = gr.Slider(3, 50, value=10, step=1, label="Số kết quả", scale=2)
            clear = gr.Button("Xóa bộ lọc", size="sm", scale=1)
    with gr.Row():
        summary = gr.Markdown("")
        csv_button = gr.DownloadButton("Tải kết quả (CSV)", visible=False, size="sm", elem_id="csv-download")
    results = gr.HTML(render.search_results_html("", []), js_on_load=SOURCES_JS, elem_id="search-results")

    def run(q, k_value, doc_v, type_v, issuer_v, province_v, year_v, mode_v):
        q = (q or "").strip()
        if not q:
            return render.search_results_html("", []), "", gr.DownloadButton(visible=False)
        filters = make_filters(doc_v, type_v, issuer_v, province_v, year_v)
        try:
            hits = backend.search(q, k=int(k_value), filters=filters, mode=mode_v or "hybrid")
        except AssistantError as exc:
            raise gr.Error(str(exc)) from None
        active = [x for x in (type_v, issuer_v, province_v, year_v) if x] + ([f"{len(doc_v)} văn bản"] if doc_v else [])
        note = f"{len(hits)} đoạn phù hợp" + (f" · lọc theo: {', '.join(render.esc(a) for a in active)}" if active else "")
        path = write_csv(hits) if hits else None
        return render.search_results_html(q, hits), note, gr.DownloadButton(value=path, visible=bool(hits))

    inputs = [query, k, doc, doc_type, issuer, province, year, mode]
    outputs = [results, summary, csv_button]
    query.submit(run, inputs, outputs, api_visibility="private")
    button.click(run, inputs, outputs, api_name="search_ui", api_visibility="private")
    clear.click(lambda: [None, None, None, None, None], None, [doc, doc_type, issuer, province, year], api_visibility="private")
    return SearchTab(query, button, doc, doc_type, issuer, province, year, results, csv_button)


def search_api(backend: Backend):
    """``/search`` for programs: the same JSON as ``assistant search --json``."""

    def search(
        query: str, k: int = 10, doc: str = "", doc_type: str = "", issuer: str = "", province: str = "", year: int = 0
    ) -> dict:
        filters = make_filters([doc] if doc else None, doc_type, issuer, province, year or None)
        try:
            hits = backend.search(query, k=max(1, min(int(k), 100)), filters=filters)
        except AssistantError as exc:  # a one-line message for the client
            raise gr.Error(str(exc)) from None
        return {"query": query, "hits": [h.to_dict() for h in hits]}

    return search
