"""The chat's answer as it is being written (issue 12).

With a language model configured (``serve --llm ...``), ``ask`` takes tens of seconds on
a CPU. ``ask_streaming`` runs it in a worker thread with a token sink and yields the
model's draft as it grows (at most a few times a second), then the final, checked
``Answer``, which replaces the draft: sentences that failed the checks disappear, or the
extractive answer comes with a one-line notice saying why. Without a model it yields the
answer only.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator

from assistant.documents import Answer, Turn
from assistant.generation.stream import streaming_to

from . import render
from .service import Backend

#: Seconds between two redraws of the draft.
REDRAW = 0.3
_DONE = object()


def ask_streaming(backend: Backend, question: str, history: list[Turn] | None = None) -> Iterator[str | Answer]:
    """Draft text so far (str) while the model writes, then the final Answer."""
    pieces: queue.Queue[object] = queue.Queue()
    result: dict[str, object] = {}

    def work() -> None:
        try:
            with streaming_to(pieces.put):
                result["answer"] = backend.ask(question, history)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            result["error"] = exc
        finally:
            pieces.put(_DONE)

    threading.Thread(target=work, name="chat-answer", daemon=True).start()
    draft: list[str] = []
    last = 0.0
    while True:
        item = pieces.get()
        if item is _DONE:
            break
        draft.append(str(item))
        if time.monotonic() - last >= REDRAW:
            last = time.monotonic()
            yield "".join(draft)
    if "error" in result:
        raise result["error"]  # type: ignore[misc]
    yield result["answer"]  # type: ignore[misc]


def draft_html(text: str) -> str:
    return (
        '<div class="msg-draft"><i class="thinking">Mô hình đang viết (sẽ được đối chiếu với văn bản)…</i>'
        f"<div>{render.esc_lines(text)}</div></div>"
    )


def final_html(answer: Answer) -> str:
    """The answer as ``render.answer_html`` draws it, below its notice if it has one."""
    notice = getattr(answer, "notice", "")
    head = f'<div class="msg-notice"><i>{render.esc(notice)}</i></div>' if notice else ""
    return head + render.answer_html(answer)
