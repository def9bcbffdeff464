"""Tokens as they come, under a time limit.

Whoever wants to see the answer being written (the terminal, the chat window) sets a
sink with ``streaming_to(callback)`` around the ``ask`` call; the answerer finds it with
``current_sink()``. A context variable rather than a parameter: the token stream is a
side channel of ``ask``, and every layer between the UI and the answerer stays as it is.

``generate`` reads the model's stream in a worker thread so that the caller can stop
waiting: a model that sends nothing within the time limit (a dead endpoint, a machine
too busy to read the prompt) raises ``GenerationTimeout`` and the worker stops at its
next token.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

Sink = Callable[[str], None]
_SINK: ContextVar[Sink | None] = ContextVar("token_sink", default=None)


@contextlib.contextmanager
def streaming_to(sink: Sink | None) -> Iterator[None]:
    token = _SINK.set(sink)
    try:
        yield
    finally:
        _SINK.reset(token)


def current_sink() -> Sink | None:
    return _SINK.get()


class GenerationTimeout(Exception):
    pass


@dataclass
class Generation:
    text: str
    first_token_s: float | None  # seconds until the first non-empty token
    total_s: float


def chunk_text(chunk: Any) -> str:
    content = getattr(chunk, "content", chunk)
    if isinstance(content, list):  # content blocks
        content = "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)
    return str(content or "")


def generate(model: Any, messages: list[Any], timeout: float, sink: Sink | None = None) -> Generation:
    """The model's whole reply to ``messages``, each piece passed to ``sink`` as it arrives."""
    q: queue.Queue[tuple[str, Any]] = queue.Queue()
    cancel = threading.Event()

    def work() -> None:
        try:
            stream = getattr(model, "stream", None)
            if stream is None:  # a bare ``invoke`` model: one piece
                q.put(("piece", chunk_text(model.invoke(messages))))
            else:
                for chunk in stream(messages):
                    if cancel.is_set():
                        break
                    q.put(("piece", chunk_text(chunk)))
            q.put(("end", None))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            q.put(("error", exc))

    t0 = time.perf_counter()
    worker = threading.Thread(target=work, name="llm-stream", daemon=True)
    worker.start()
    pieces: list[str] = []
    first: float | None = None
    while True:
        remaining = timeout - (time.perf_counter() - t0)
        try:
            if remaining <= 0:
                raise queue.Empty
            kind, value = q.get(timeout=remaining)
        except queue.Empty:
            cancel.set()
            raise GenerationTimeout(f"no complete answer within {timeout:.0f} s") from None
        if kind == "error":
            raise value
        if kind == "end":
            return Generation("".join(pieces), first, time.perf_counter() - t0)
        if value:
            if first is None:
                first = time.perf_counter() - t0
            pieces.append(value)
            if sink is not None:
                sink(value)
