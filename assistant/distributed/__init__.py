"""Ingestion beyond the local build: into Milvus, in this process or on Ray."""

from __future__ import annotations


def ingest_for(settings):
    """The ingest function for ``settings.store``: the local build or the Milvus one
    (same signature: ``(paths, settings, *, rebuild, skip_errors, progress, say)``)."""
    if settings.store == "milvus":
        from .milvus_ingest import ingest_milvus

        return ingest_milvus
    from ..ingest import ingest

    return ingest
