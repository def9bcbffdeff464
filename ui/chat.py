"""Tab "Hỏi đáp": the chat window, its example questions and the sources panel."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from typing import Any

import assistant  # noqa: F401  (offline environment before gradio is imported)
import gradio as gr

from assistant.documents import Answer, Turn
from assistant.errors import AssistantError

from . import render
from .js import SOURCES_JS
from .service import Backend
from .stream import ask_streaming, draft_html, final_html

log = logging.getLogger(__name__)

EXAMPLES = [
    "Mục tiêu tăng trưởng công nghiệp giai đoạn 2011-2015 là bao nhiêu?",
    "Kết luận 11-KL/TU do ai ký?",
    "Các giải pháp chủ yếu phát triển công nghiệp của Bắc Kạn gồm những gì?",
    "Tóm tắt nội dung chính của Kết luận 11-KL/TU",
]
THINKING = '<i class="thinking">Đang tìm căn cứ trong các văn bản…</i>'


@dataclass
class ChatTab:
    chatbot: gr.Chatbot
    question: gr.Textbox
    send: gr.Button
    new_chat: gr.Button
    sources: gr.HTML
    turns: gr.State


def turn_record(answer: Answer, views: list[render.SourceView], related: bool) -> dict[str, Any]:
    """What the session keeps per exchange: enough for follow-ups and to redraw sources."""
    return {
        "question": answer.question,
        "answer": answer.text,
        "resolved_question": answer.resolved_question,
        "scope": list(answer.scope),  # a follow-up ("Văn bản đó ...") is about these documents
        "kind": answer.kind,
        "sources": [asdict(v) for v in views],
        "related": related,
    }


def history_of(turns: list[dict[str, Any]]) -> list[Turn]:
    return [Turn(t["question"], t["answer"], t.get("resolved_question", ""), list(t.get("scope", [])), t.get("kind", ""))
            for t in turns]


def message_html(answer: Answer) -> str:
    """The answer bubble, headed by what the answer was limited to ("Trả lời theo: Kết luận
    số 11-KL/TU ngày 12/01/2012 của Tỉnh ủy Quảng Trị"), so a cadre sees at once which
    document speaks."""
    body = final_html(answer)  # with the model's fallback notice, if any
    if answer.scope_label and not answer.abstained:
        body = f'<div class="answer-scope"><i>Trả lời theo: {render.esc(answer.scope_label)}</i></div>{body}'
    return body


def sources_of(record: dict[str, Any]) -> str:
    views = [render.SourceView(**v) for v in record.get("sources", [])]
    return render.sources_html(views, related=record.get("related", False), answer_text=record.get("answer", ""))


def answer_views(backend: Backend, answer: Answer) -> tuple[list[render.SourceView], bool]:
    if answer.citations:
        return [render.source_view(c, backend.document(c.doc_id)) for c in answer.citations], False
    if answer.abstained and answer.hits:
        return [render.hit_view(i + 1, h) for i, h in enumerate(answer.hits[:3])], True
    return [], False


def build(backend: Backend) -> ChatTab:
    turns = gr.State([])
    chatbot = gr.Chatbot(
        label="Hội thoại",
        height=460,
        render_markdown=False,  # messages are escaped HTML built by ui.render
        sanitize_html=True,
        allow_tags=False,
        latex_delimiters=[],
        feedback_options=None,
        buttons=[],  # the built-in copy would copy our markup; the sources panel copies plain text
        placeholder="Đặt câu hỏi về các nghị quyết, kết luận, chỉ thị đã nạp. Câu trả lời luôn kèm nguồn trích dẫn.",
        elem_id="chatbot",
    )
    with gr.Row(equal_height=False):
        question = gr.Textbox(
            label="Câu hỏi",
            placeholder="Ví dụ: Mục tiêu tăng trưởng công nghiệp giai đoạn 2011-2015 là bao nhiêu?",
            lines=1,
            max_lines=4,
            scale=6,
            elem_id="question",
            autofocus=True,
        )
        send = gr.Button("Gửi câu hỏi", variant="primary", scale=1, elem_id="send")
        new_chat = gr.Button("Cuộc trò chuyện mới", variant="secondary", scale=1, elem_id="new-chat")
    gr.Examples(examples=[[q] for q in EXAMPLES], inputs=[question], label="Câu hỏi mẫu")
    sources = gr.HTML(render.sources_html([]), js_on_load=SOURCES_JS, elem_id="sources", padding=False)

    def respond(q: str, messages: list[dict], turns_value: list[dict]):
        q = (q or "").strip()
        if not q:
            raise gr.Error("Vui lòng nhập câu hỏi.")
        messages = list(messages or []) + [
            {"role": "user", "content": render.question_html(q)},
            {"role": "assistant", "content": THINKING},
        ]
        yield "", messages, turns_value, gr.skip()
        try:
            answer = None
            for step in ask_streaming(backend, q, history_of(turns_value)):  # issue 12: the model's draft as it grows
                if isinstance(step, str):
                    messages[-1] = {"role": "assistant", "content": draft_html(step)}
                    yield "", messages, turns_value, gr.skip()
                else:
                    answer = step
            if answer is None:
                raise AssistantError("không có câu trả lời")
        except AssistantError as exc:
            messages[-1] = {"role": "assistant", "content": render.esc(f"Không trả lời được: {exc}")}
            yield "", messages, turns_value, render.sources_html([])
            return
        except Exception:
            log.exception("ask failed")
            messages[-1] = {"role": "assistant", "content": "Đã xảy ra lỗi khi trả lời; vui lòng thử lại."}
            yield "", messages, turns_value, render.sources_html([])
            return
        views, related = answer_views(backend, answer)
        messages[-1] = {"role": "assistant", "content": message_html(answer)}
        record = turn_record(answer, views, related)
        yield "", messages, [*turns_value, record], render.sources_html(views, related, answer.text)

    def show_sources(turns_value: list[dict], evt: gr.SelectData):
        """Clicking an earlier answer shows its sources again."""
        idx = evt.index if isinstance(evt.index, int) else (evt.index[0] if evt.index else 0)
        t = idx // 2
        if 0 <= t < len(turns_value):
            return sources_of(turns_value[t])
        return gr.skip()

    def reset():
        return [], [], render.sources_html([]), ""

    outputs = [question, chatbot, turns, sources]
    question.submit(respond, [question, chatbot, turns], outputs, api_name="chat")
    send.click(respond, [question, chatbot, turns], outputs, api_visibility="private")
    chatbot.select(show_sources, [turns], [sources], api_visibility="private")
    new_chat.click(reset, None, [chatbot, turns, sources, question], api_visibility="private")
    chatbot.clear(reset, None, [chatbot, turns, sources, question], api_visibility="private")
    return ChatTab(chatbot, question, send, new_chat, sources, turns)
