"""Tab "Chỉ tiêu": the table of targets and results, filters, CSV export and a chart.

Rows come from the index's targets table (``assistant.targets.table``); the tab only
filters and displays them. Cells are plain text (Dataframe "str" columns), never HTML.
Selecting a row opens its source paragraph in the "Văn bản" tab (wired in ``app``).
"""

from __future__ import annotations

import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import assistant  # noqa: F401  (offline environment before gradio is imported)
import gradio as gr
import pandas as pd

from assistant.targets.compare import indicator_overlap
from assistant.targets.model import KIND_LABELS, TargetRow
from assistant.targets.table import filter_rows, load_rows, to_csv

from .service import Backend

COLUMNS = ["Chỉ tiêu", "Giá trị", "Loại", "Kỳ", "Văn bản", "Trích dẫn", "Vị trí"]
ALL = "Tất cả"
_KIND_BY_LABEL = {v: k for k, v in KIND_LABELS.items()}
_cache: dict[int, list[TargetRow]] = {}
_cache_lock = threading.Lock()


@dataclass
class TargetsTab:
    table: gr.Dataframe
    indicator: gr.Textbox
    kind: gr.Dropdown
    period: gr.Textbox
    doc: gr.Dropdown
    chart_choice: gr.Dropdown
    chart: gr.ScatterPlot
    download: gr.DownloadButton
    status: gr.Markdown


def all_rows(backend: Backend) -> list[TargetRow]:
    """The rows of the live index (cached per opened index: a reload brings a new one)."""
    store = backend.assistant.store
    with _cache_lock:
        if id(store) not in _cache:
            _cache.clear()
            _cache[id(store)] = load_rows(store)[0]
        return _cache[id(store)]


def filtered(backend: Backend, indicator: str = "", kind: str = ALL, period: str = "", doc: str | None = None) -> list[TargetRow]:
    return filter_rows(
        all_rows(backend), backend.assistant.store.metas, doc=doc or None,
        kind=_KIND_BY_LABEL.get(kind), indicator=(indicator or "").strip() or None, period=(period or "").strip() or None,
    )


def position(row: TargetRow) -> str:
    """'doc_id|start|end': what a selected row opens (the sentence, in its paragraph)."""
    return f"{row.doc_id}|{row.start}|{row.end}"


def table_rows(rows: list[TargetRow]) -> list[list[str]]:
    out = []
    for r in rows:
        comp = f"{r.comparator} " if r.comparator in ("trên", "dưới", "khoảng", "không dưới", "tối thiểu", "tối đa",
                                                       "ít nhất", "không quá", "trở lên", "hơn", "gần") else ""
        out.append([r.indicator or "—", comp + r.figure, KIND_LABELS.get(r.kind, r.kind), r.period, r.doc_id,
                    r.citation, position(r)])
    return out


def indicator_groups(rows: list[TargetRow], limit: int = 60) -> list[str]:
    """Indicators that have both a target and a result somewhere (lenient word overlap),
    most frequent first: the choices of the chart."""
    groups: list[tuple[str, str, set[str]]] = []  # (representative, unit family, kinds)
    for r in rows:
        if not r.indicator:
            continue
        fam = "%" if r.unit.startswith("%") else r.unit
        for rep, f, kinds in groups:
            if f == fam and indicator_overlap(rep, r.indicator) >= 0.6:
                kinds.add(r.kind)
                break
        else:
            groups.append((r.indicator, fam, {r.kind}))
    both = [g[0] for g in groups if {"target", "achieved"} <= g[2]]
    return both[:limit]


def chart_frame(backend: Backend, rows: list[TargetRow], indicator: str | None) -> pd.DataFrame:
    """Target against achieved for one indicator, per document and period."""
    data = []
    if indicator:
        unit = next((r.unit for r in rows if r.indicator == indicator), "")
        fam = "%" if unit.startswith("%") else unit
        for r in rows:
            if (("%" if r.unit.startswith("%") else r.unit) == fam and r.kind in ("target", "achieved", "baseline")
                    and indicator_overlap(indicator, r.indicator) >= 0.6):
                data.append({
                    "Kỳ · văn bản": f"{r.period or 'không rõ kỳ'} · {r.doc_id[:28]}",
                    "Giá trị": r.number, "Loại": KIND_LABELS[r.kind], "Đơn vị": r.unit,
                })
    return pd.DataFrame(data, columns=["Kỳ · văn bản", "Giá trị", "Loại", "Đơn vị"])


def csv_file(rows: list[TargetRow]) -> str:
    """The filtered rows as a CSV file (UTF-8 with BOM, so spreadsheet programs read the accents)."""
    directory = Path(tempfile.mkdtemp(prefix="chi-tieu-"))
    path = directory / "chi-tieu.csv"
    path.write_text("\ufeff" + to_csv(rows), encoding="utf-8")
    return str(path)


def _status(rows: list[TargetRow]) -> str:
    counts = {k: sum(1 for r in rows if r.kind == k) for k in KIND_LABELS}
    return f"{len(rows)} số liệu: " + ", ".join(f"{counts[k]} {v.lower()}" for k, v in KIND_LABELS.items())


def refresh(backend: Backend, indicator: str = "", kind: str = ALL, period: str = "", doc: str | None = None):
    rows = filtered(backend, indicator, kind, period, doc)
    groups = indicator_groups(rows)
    choice = groups[0] if groups else None
    docs = [("Tất cả văn bản", "")] + backend.filter_choices()["doc"]
    return (
        table_rows(rows), _status(rows), gr.Dropdown(choices=groups, value=choice),
        chart_frame(backend, rows, choice), csv_file(rows), gr.Dropdown(choices=docs, value=doc or ""),
    )


def build(backend: Backend) -> TargetsTab:
    gr.Markdown(
        "Số liệu mục tiêu và kết quả trích từ mọi văn bản đã nạp. Lọc theo chỉ tiêu, loại, kỳ, văn bản; "
        "chọn một dòng để mở đoạn văn nguồn."
    )
    with gr.Row():
        indicator = gr.Textbox(label="Chỉ tiêu (từ khóa)", placeholder="ví dụ: tăng trưởng công nghiệp", elem_id="tg-indicator")
        kind = gr.Dropdown(choices=[ALL, *KIND_LABELS.values()], value=ALL, label="Loại", elem_id="tg-kind")
        period = gr.Textbox(label="Kỳ / năm", placeholder="ví dụ: 2015", elem_id="tg-period")
        doc = gr.Dropdown(choices=[("Tất cả văn bản", "")] + backend.filter_choices()["doc"], value="",
                          label="Văn bản", elem_id="tg-doc")
    status = gr.Markdown(elem_id="tg-status")
    table = gr.Dataframe(
        headers=COLUMNS, datatype=["str"] * len(COLUMNS), interactive=False, wrap=True, max_height=420,
        label="Chỉ tiêu", elem_id="tg-table",
    )
    download = gr.DownloadButton("Tải CSV", elem_id="tg-csv")
    chart_choice = gr.Dropdown(choices=[], label="Biểu đồ: mục tiêu và kết quả của chỉ tiêu", elem_id="tg-chart-choice")
    # points, not stacked bars: a target and its result at the same period stay side by side
    chart = gr.ScatterPlot(
        x="Kỳ · văn bản", y="Giá trị", color="Loại", label="Mục tiêu và kết quả theo kỳ, văn bản",
        x_title="Kỳ · văn bản", y_title="Giá trị", color_title="Loại", elem_id="tg-chart",
        tooltip=["Kỳ · văn bản", "Giá trị", "Đơn vị", "Loại"], height=360,
    )
    inputs = [indicator, kind, period, doc]
    outputs = [table, status, chart_choice, chart, download, doc]

    def on_change(ind, k, per, d):
        return refresh(backend, ind, k, per, d)

    for comp in (kind, doc):  # .input, not .change: refreshing the choices must not re-trigger
        comp.input(on_change, inputs, outputs, api_visibility="private")
    for box in (indicator, period):
        box.submit(on_change, inputs, outputs, api_visibility="private")
        box.blur(on_change, inputs, outputs, api_visibility="private")

    def on_chart(choice, ind, k, per, d):
        return chart_frame(backend, filtered(backend, ind, k, per, d), choice)

    chart_choice.input(on_chart, [chart_choice, *inputs], chart, api_visibility="private")
    return TargetsTab(table, indicator, kind, period, doc, chart_choice, chart, download, status)


def outputs(tab: TargetsTab) -> list:
    """What ``refresh`` fills, in its order (for the app's load and after-upload events)."""
    return [tab.table, tab.status, tab.chart_choice, tab.chart, tab.download, tab.doc]


def inputs(tab: TargetsTab) -> list:
    return [tab.indicator, tab.kind, tab.period, tab.doc]


def selected_position(evt: gr.SelectData) -> str:
    """The 'doc_id|start|end' of a selected row (its last column), whatever the sorting."""
    row = evt.row_value or []
    return str(row[-1]) if row else ""
