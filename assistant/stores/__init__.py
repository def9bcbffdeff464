"""Index backends behind one ``Store`` protocol (``base``): ``local`` and ``milvus``."""

from __future__ import annotations

from pathlib import Path

from ..errors import AssistantError
from .base import Store

BACKENDS = ("local", "milvus")


def open_store(root: Path, settings) -> Store:
    """Open the index of ``settings.store`` at ``root`` (the index directory)."""
    if settings.store == "local":
        from .local import LocalStore

        return LocalStore.open(root)
    if settings.store == "milvus":
        from .milvus import MilvusStore

        return MilvusStore.open(root, settings)
    raise AssistantError(f"unknown store {settings.store!r}; choose one of {', '.join(BACKENDS)}")
