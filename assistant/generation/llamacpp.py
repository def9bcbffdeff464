"""A GGUF model in process, as a LangChain chat model (thin ``BaseChatModel``).

Why not langchain-community's ``ChatLlamaCpp``: that package is large, deprecated in
parts, and its model object is not guarded against concurrent calls. Here one
``llama_cpp.Llama`` is loaded per model file and process (``shared``), every call holds
its lock (the Gradio app serves several sessions from worker threads), and the model's
own chat template (read from the GGUF metadata) formats the messages.

``OMP_WAIT_POLICY=PASSIVE`` is set before llama.cpp is loaded unless the environment
says otherwise: on a busy 2-core machine spinning OpenMP threads made it ~10x slower.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import PrivateAttr

from ..errors import AssistantError

_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


class _Loaded:
    """One loaded model and the lock that serialises its use."""

    def __init__(self, llama: Any):
        self.llama = llama
        self.lock = threading.Lock()


_MODELS: dict[tuple[str, int, int], _Loaded] = {}
_MODELS_LOCK = threading.Lock()


def load(path: Path, n_ctx: int, n_threads: int) -> _Loaded:
    """The model at ``path``, loaded once per process and settings."""
    key = (str(Path(path).resolve()), n_ctx, n_threads)
    with _MODELS_LOCK:
        if key not in _MODELS:
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            try:
                from llama_cpp import Llama
            except ImportError:
                raise AssistantError(
                    "an in-process GGUF model needs llama-cpp-python: pip install -e '.[llm]' "
                    "(it builds from source, 10-20 min once)"
                ) from None
            if not Path(path).is_file():
                raise AssistantError(f"{path}: no such model file")
            try:
                llama = Llama(model_path=str(path), n_ctx=n_ctx, n_threads=n_threads, n_threads_batch=n_threads, verbose=False)
            except (ValueError, RuntimeError, OSError) as exc:
                raise AssistantError(f"{path}: cannot load the GGUF model ({exc})") from None
            _MODELS[key] = _Loaded(llama)
        return _MODELS[key]


class LlamaCppChat(BaseChatModel):
    """Chat completions from a local GGUF file through llama-cpp-python."""

    model_path: str
    n_ctx: int = 4096
    n_threads: int = 2
    max_tokens: int = 256
    temperature: float = 0.0
    _loaded: _Loaded | None = PrivateAttr(default=None)

    def model_post_init(self, __context: Any) -> None:
        super().model_post_init(__context)
        self._loaded = load(Path(self.model_path), self.n_ctx, self.n_threads)  # fail at start-up, not on a question

    @property
    def _llm_type(self) -> str:
        return "llama-cpp-in-process"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_path": self.model_path, "n_ctx": self.n_ctx, "max_tokens": self.max_tokens}

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = "".join(str(c.message.content) for c in self._stream(messages, stop, run_manager, **kwargs))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        loaded = self._loaded
        assert loaded is not None
        chat = [{"role": _ROLES.get(m.type, "user"), "content": str(m.content)} for m in messages]
        with loaded.lock:
            chunks = loaded.llama.create_chat_completion(
                messages=chat,
                max_tokens=kwargs.get("max_tokens", self.max_tokens),
                temperature=kwargs.get("temperature", self.temperature),
                stop=stop,
                stream=True,
            )
            try:
                for chunk in chunks:
                    delta = chunk["choices"][0].get("delta", {}).get("content")
                    if not delta:
                        continue
                    gen = ChatGenerationChunk(message=AIMessageChunk(content=delta))
                    if run_manager:
                        run_manager.on_llm_new_token(delta, chunk=gen)
                    yield gen
            finally:
                close = getattr(chunks, "close", None)
                if close:
                    close()  # stops generating when the caller gave up (time-out)
