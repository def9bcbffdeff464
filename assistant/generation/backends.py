"""``Settings.llm`` -> a LangChain chat model.

``llm`` is one string, as typed after ``--llm``:

* ``local``                 the offline model (``model_file.LOCAL_MODEL``), in process;
* ``/path/to/model.gguf``   any GGUF file, in process (llama-cpp-python);
* ``http://HOST:PORT/v1``   any OpenAI-compatible server (vLLM, Ollama, llama.cpp's server,
                            LM Studio) through langchain-openai's ``ChatOpenAI``; the model
                            name is ``llm_model`` or, if empty, the first the server lists.
"""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import AssistantError
from ..settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Backend:
    kind: str  # "endpoint" | "gguf"
    target: str  # base URL or model file path
    label: str  # what the user is told answered: "http://127.0.0.1:8080/v1 (qwen)", "qwen2.5-….gguf"


def parse_spec(spec: str) -> tuple[str, str]:
    """(kind, target) of an ``llm`` setting; a one-line error for anything else."""
    s = spec.strip()
    if not s:
        raise AssistantError("no LLM configured (llm is empty)")
    if s.lower() == "local":
        return "local", ""
    if s.lower().startswith(("http://", "https://")):
        return "endpoint", s.rstrip("/")
    if s.lower().endswith(".gguf"):
        return "gguf", s
    raise AssistantError(
        f"--llm {spec!r}: expected 'local', a .gguf model file or an OpenAI-compatible URL such as http://127.0.0.1:8080/v1"
    )


def threads(settings: Settings) -> int:
    return settings.llm_threads or max(1, min(os.cpu_count() or 1, 8))


def build_chat_model(settings: Settings, say: Any = None) -> tuple[Any, Backend]:
    """The chat model named by ``settings.llm`` and a description of it."""
    kind, target = parse_spec(settings.llm)
    if kind == "endpoint":
        return _endpoint(settings, target)
    if kind == "local":
        from .model_file import LOCAL_MODEL, assemble

        # Assembling takes ~30 s, once: say so (on stderr unless the caller listens).
        target = str(assemble(LOCAL_MODEL, settings.model_cache_dir, say=say or (lambda m: print(m, file=sys.stderr))))
    path = Path(target).expanduser()
    if not path.is_file():
        raise AssistantError(f"{path}: no such model file")
    from .llamacpp import LlamaCppChat

    model = LlamaCppChat(
        model_path=str(path),
        n_ctx=settings.llm_context,
        n_threads=threads(settings),
        max_tokens=settings.llm_max_tokens,
        temperature=settings.llm_temperature,
    )
    return model, Backend("gguf", str(path), path.name)


def _endpoint(settings: Settings, base_url: str) -> tuple[Any, Backend]:
    try:
        from langchain_openai import ChatOpenAI
    except ImportError:
        raise AssistantError("an OpenAI-compatible endpoint needs langchain-openai: pip install -e '.[llm]'") from None
    key = settings.llm_api_key.get_secret_value() or "not-needed"
    name = settings.llm_model or served_model(base_url, key) or "default"
    model = ChatOpenAI(
        model=name,
        base_url=base_url,
        api_key=key,
        temperature=settings.llm_temperature,
        max_tokens=settings.llm_max_tokens,
        timeout=settings.llm_timeout,
        max_retries=0,  # a retry doubles the wait; the extractive answer is the fallback
        streaming=True,
    )
    return model, Backend("endpoint", base_url, f"{base_url} ({name})")


def served_model(base_url: str, key: str) -> str:
    """The first model id the server lists at ``/models``, or '' if it cannot say."""
    try:
        import httpx

        r = httpx.get(f"{base_url}/models", headers={"Authorization": f"Bearer {key}"}, timeout=5.0)
        r.raise_for_status()
        data = r.json().get("data") or []
        return str(data[0]["id"]) if data else ""
    except Exception as exc:  # noqa: BLE001 - any failure: the caller uses a placeholder name
        log.warning("%s/models did not list a model (%s); set --llm-model", base_url, exc.__class__.__name__)
        return ""
