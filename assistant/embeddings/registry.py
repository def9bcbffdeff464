"""The embedder registry: a backend name -> how to build that backend and what it will be called.

Adding an embedder is one module with one decorated class (or factory function), imported
in ``assistant/embeddings/__init__.py`` -- the same pattern as the loaders' ``@register(".pdf")``::

    @register("onnx", aliases=("ort",), models=PRECISIONS, name=lambda m: f"onnx:...-{m or 'int8'}")
    class OnnxE5Embedder(BaseEmbedder): ...

``Settings.embedder`` is validated against :func:`names` (aliases resolved by :func:`canonical`),
``make_embedder`` builds through :meth:`Backend.build`, and ``embedder_name`` asks
:meth:`Backend.predicted_name`. This module imports neither the settings nor any backend.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import AssistantError

#: What is registered: called as ``factory(embedder_model, **options(settings))``.
Factory = Callable[..., Any]


@dataclass(frozen=True)
class Backend:
    """One registered embedder backend."""

    name: str
    factory: Factory
    aliases: tuple[str, ...] = ()
    #: Accepted ``embedder_model`` values besides '' (the backend's default); empty: any string.
    models: tuple[str, ...] = ()
    #: ``embedder_model`` -> the ``name`` the loaded embedder will have, or None when only
    #: loading can tell (a model directory, an external file). None: never predictable.
    name_of: Callable[[str], str | None] | None = field(default=None, repr=False)
    #: Settings -> extra keyword arguments of the factory (e.g. a cache directory).
    options: Callable[[Any], dict[str, Any]] | None = field(default=None, repr=False)

    def check_model(self, model: str) -> None:
        if self.models and model and model not in self.models:
            raise AssistantError(f"embedder {self.name!r}: embedder_model must be one of {', '.join(self.models)}, got {model!r}")

    def predicted_name(self, model: str) -> str | None:
        return self.name_of(model) if self.name_of is not None else None

    def build(self, model: str, settings: Any) -> Any:
        self.check_model(model)
        extra = self.options(settings) if self.options is not None else {}
        return self.factory(model, **extra)


_REGISTRY: dict[str, Backend] = {}
_ALIASES: dict[str, str] = {}


def register(
    name: str,
    *,
    aliases: Sequence[str] = (),
    models: Sequence[str] = (),
    name_of: Callable[[str], str | None] | None = None,
    options: Callable[[Any], dict[str, Any]] | None = None,
) -> Callable[[Factory], Factory]:
    """Register the decorated class or function as the embedder backend ``name``.

    ``models``: the accepted ``embedder_model`` values ('' always means the default);
    ``name_of``: predicts the loaded embedder's ``name`` without loading it (lazy start);
    ``options``: extra factory arguments taken from the settings."""
    key = name.strip().lower()

    def deco(factory: Factory) -> Factory:
        taken = [n for n in (key, *aliases) if _ALIASES.get(n.lower(), key) != key]
        if taken:
            raise ValueError(f"embedder name {taken[0]!r} is already registered by {_ALIASES[taken[0].lower()]!r}")
        _REGISTRY[key] = Backend(key, factory, tuple(aliases), tuple(models), name_of, options)
        for alias in (key, *aliases):
            _ALIASES[alias.lower()] = key
        return factory

    return deco


def canonical(name: str) -> str | None:
    """The registered name for ``name`` or one of its aliases (case and spaces ignored); None if unknown."""
    return _ALIASES.get(name.strip().lower())


def names() -> list[str]:
    """Registered backend names, in registration order."""
    return list(_REGISTRY)


def get(name: str) -> Backend:
    """The backend named ``name`` (or an alias); a one-line ``AssistantError`` naming the choices if unknown."""
    key = canonical(name)
    if key is None:
        raise AssistantError(unknown_message(name))
    return _REGISTRY[key]


def unknown_message(name: str) -> str:
    return f"unknown embedder {name!r} (expected one of: {', '.join(names())})"
