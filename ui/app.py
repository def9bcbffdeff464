"""The Gradio Blocks app: four tabs over one ``Backend``.

``import assistant`` comes first: it turns Gradio analytics and hub access off before
Gradio is imported. The app is served on 127.0.0.1 by default, never shared, with a
bounded queue, optional password, no monitoring endpoint, no MCP server and no run
history kept in the browser.
"""

from __future__ import annotations

import assistant  # noqa: F401  (offline environment before gradio is imported)

from pathlib import Path
from collections.abc import Sequence

import gradio as gr
from starlette.middleware import Middleware

from assistant.documents import Turn
from assistant.errors import AssistantError

from . import chat, documents, render, search, targets, upload
from .auth_gate import AuthGate
from .service import Backend
from .style import CSS

TITLE = "Trợ lý văn bản chính sách"
TAB_CHAT, TAB_SEARCH, TAB_DOCS, TAB_UPLOAD = "hoi-dap", "tim-kiem", "van-ban", "nap-van-ban"


#: Queue limits: at most this many questions/searches run at once, and at most
#: QUEUE_SIZE wait; further requests are told the queue is full.
CONCURRENCY = 4
QUEUE_SIZE = 64

#: Defence in depth behind the escaping: the browser refuses remote images, plugins
#: and a foreign <base>, whatever a page might contain.
HEAD = (
    '<meta http-equiv="Content-Security-Policy" '
    "content=\"img-src 'self' data: blob:; object-src 'none'; base-uri 'self'\">"
)


def parse_open(value: str) -> tuple[str, tuple[int, int] | None]:
    """'doc_id|start|end' from a source card -> (doc_id, (start, end))."""
    parts = str(value or "").rsplit("|", 2)
    if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
        return parts[0], (int(parts[1]), int(parts[2]))
    return parts[0], None


def build_app(backend: Backend) -> gr.Blocks:
    with gr.Blocks(title=TITLE, analytics_enabled=False, fill_width=False) as demo:
        gr.HTML(
            f'<div class="app-header"><h1>{render.esc(TITLE)}</h1>'
            "<p>Hỏi đáp, tìm kiếm và tra cứu nghị quyết, kết luận, chỉ thị — mọi câu trả lời kèm nguồn trích dẫn.</p></div>",
            js_on_load=None,
        )
        with gr.Tabs(selected=TAB_CHAT, elem_id="tabs") as tabs:
            with gr.Tab("Hỏi đáp", id=TAB_CHAT, elem_id="tab-chat"):
                chat_tab = chat.build(backend)
            with gr.Tab("Tìm kiếm", id=TAB_SEARCH, elem_id="tab-search"):
                search_tab = search.build(backend)
            with gr.Tab("Văn bản", id=TAB_DOCS, elem_id="tab-docs"):
                docs_tab = documents.build(backend)
            with gr.Tab("Nạp văn bản", id=TAB_UPLOAD, elem_id="tab-upload"):
                upload_tab, upload_fn = upload.build(backend)
            with gr.Tab("Chỉ tiêu", id="chi-tieu", elem_id="tab-targets"):
                targets_tab = targets.build(backend)

        # Opening a source (chat) or a result (search): the viewer, scrolled to it.
        def open_source(evt: gr.SelectData):
            doc_id, span = parse_open(evt.value)
            return gr.Tabs(selected=TAB_DOCS), doc_id, documents.viewer_html(backend, doc_id, span)

        for panel in (chat_tab.sources, search_tab.results):
            panel.select(open_source, None, [tabs, docs_tab.picker, docs_tab.viewer], api_visibility="private")

        def open_target(evt: gr.SelectData):  # a row of "Chỉ tiêu": its sentence, in its paragraph
            doc_id, span = parse_open(targets.selected_position(evt))
            return gr.Tabs(selected=TAB_DOCS), doc_id, documents.viewer_html(backend, doc_id, span)

        targets_tab.table.select(open_target, None, [tabs, docs_tab.picker, docs_tab.viewer], api_visibility="private")

        # After an upload, and on every page load: lists and filter choices are current.
        def refresh():
            return [
                documents.table_rows(backend),
                gr.Dropdown(choices=documents.picker_choices(backend)),
                *search.filter_updates(backend),
            ]

        refreshed = [docs_tab.table, docs_tab.picker, *search_tab.filters]

        def refresh_targets(*filters):  # "Chỉ tiêu": the table of the live index
            return targets.refresh(backend, *filters)

        upload_tab.button.click(
            upload_fn, [upload_tab.files], [upload_tab.status, upload_tab.results],
            concurrency_limit=1, concurrency_id="ingest", api_visibility="private",
        ).then(refresh, None, refreshed, api_visibility="private").then(
            refresh_targets, targets.inputs(targets_tab), targets.outputs(targets_tab), api_visibility="private"
        )
        demo.load(refresh, None, refreshed, api_visibility="private")
        demo.load(refresh_targets, targets.inputs(targets_tab), targets.outputs(targets_tab), api_visibility="private")

        # Programmatic endpoints (gradio_client): same JSON as the CLI's --json.
        def ask(question: str, history: list[dict] | None = None) -> dict:
            """Answer a question; ``history`` is [{"question", "answer"}] of earlier turns."""
            if not isinstance(question, str) or not isinstance(history, (list, type(None))):
                raise gr.Error("question must be text and history a list of {question, answer}")
            turns = [
                Turn(str(t.get("question", "")), str(t.get("answer", "")), str(t.get("resolved_question", "")))
                for t in history or [] if isinstance(t, dict)
            ]
            try:
                return backend.ask(question, turns).to_dict()
            except AssistantError as exc:  # a one-line message for the client, not "an exception occurred"
                raise gr.Error(str(exc)) from None

        gr.api(ask, api_name="ask")
        gr.api(search.search_api(backend), api_name="search")
    return demo


def parse_auth(value: str) -> tuple[str, str]:
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise ValueError("--auth must be USER:PASS")
    return user, password


def read_credentials(path: Path) -> list[tuple[str, str]]:
    """A credentials file: one USER:PASS per line; blank lines and # comments ignored."""
    creds = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            creds.append(parse_auth(line))
        except ValueError:
            raise ValueError(f"{path}:{n}: expected USER:PASS") from None
    if not creds:
        raise ValueError(f"{path}: no USER:PASS line")
    return creds


def launch(
    backend: Backend,
    host: str = "127.0.0.1",
    port: int = 7860,
    auth: Sequence[tuple[str, str]] | None = None,
    block: bool = True,
    quiet: bool = False,
) -> gr.Blocks:
    demo = build_app(backend)
    demo.queue(max_size=QUEUE_SIZE, default_concurrency_limit=CONCURRENCY)
    demo.launch(
        server_name=host,
        server_port=port,
        share=False,
        auth=list(auth) if auth else None,
        auth_message="Đăng nhập để dùng Trợ lý văn bản chính sách." if auth else None,
        prevent_thread_lock=not block,
        quiet=quiet,
        show_error=False,
        footer_links=[],
        run_history=False,
        enable_monitoring=False,
        mcp_server=False,
        ssr_mode=False,
        pwa=False,
        max_file_size=backend.settings.max_file_bytes,
        app_kwargs={"middleware": [Middleware(AuthGate)]},
        theme=gr.themes.Default(primary_hue="red", neutral_hue="slate"),
        css=CSS,
        head=HEAD,
    )
    return demo
