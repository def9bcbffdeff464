"""The per-source and per-document steps of an ingest, as plain functions over
JSON-able rows, so the same code runs in this process or in Ray workers.

    load_source   one file -> one row per document (loaded and parsed), or one error row
    DocumentWorker  documents -> passages, analysed and embedded (holds one embedder)

They reuse the library's pipeline (loaders, ``structure.parse_structure`` through
``ingest.make_document``, ``chunking``, ``text.Analyzer``, the embedder) unchanged.
"""

from __future__ import annotations

import json

import numpy as np

from ..chunking import chunk_document
from ..documents import Passage
from ..errors import LoadError
from ..ingest import _slug, embedding_text, make_document, read_documents, unique_id
from ..loaders import NoTextLayer, load_path
from ..settings import Settings
from ..stores.milvus import document_from_record, document_record


def load_source(row: dict, max_bytes: int, settings: Settings | None = None) -> list[dict]:
    """Rows ``{key, digest, path}`` -> one row per document of the file, numbered
    ``index`` of ``count``; a file that fails gives one row with ``error``. With
    ``settings`` the file is read within the per-file time and memory budget
    (``ingest.read_documents``, a forked child), as the local ingest does; Ray tasks
    are separate processes already and read it directly."""
    from pathlib import Path

    path = Path(row["path"])
    base = {"key": row["key"], "digest": row["digest"]}
    try:
        if settings is not None:
            parsed = read_documents(path, settings)
        else:
            parsed = [make_document(item, item.doc_id or _slug(path.stem)) for item in load_path(path, max_bytes=max_bytes)]
        docs: list = []
        taken: set[str] = set()
        for doc in parsed:
            doc.id = unique_id(doc.id, taken)
            docs.append(doc)
    except LoadError as exc:
        return [{**base, "index": 0, "count": 0, "doc": "", "error": str(exc), "skipped": isinstance(exc, NoTextLayer)}]
    if not docs:
        return [{**base, "index": 0, "count": 0, "doc": "", "error": "", "skipped": False}]
    return [
        {**base, "index": i, "count": len(docs), "doc": document_record(d), "error": "", "skipped": False}
        for i, d in enumerate(docs)
    ]


def passage_record(p: Passage, tokens: list[str], folded: list[str]) -> dict:
    return {
        "id": p.id, "doc_id": p.doc_id, "start": p.start, "end": p.end, "section_path": list(p.section_path),
        "headings": list(p.headings), "paragraph": p.paragraph, "tokens": tokens, "folded": folded,
    }


def passage_from_record(r: dict, text: str) -> tuple[Passage, list[str], list[str]]:
    p = Passage(
        id=r["id"], doc_id=r["doc_id"], start=r["start"], end=r["end"], text=text[r["start"] : r["end"]],
        section_path=tuple(r["section_path"]), headings=tuple(r["headings"]), paragraph=r["paragraph"],
    )
    return p, r["tokens"], r["folded"]


class DocumentWorker:
    """Chunk, analyse and embed documents. One per worker process: loading the embedder
    and the segmenter is paid once, not per batch."""

    def __init__(self, settings_json: str):
        from ..embeddings import make_embedder
        from ..text import Analyzer

        self.settings = Settings.model_validate_json(settings_json)
        self.embedder = make_embedder(self.settings)
        self.analyzer = Analyzer()

    def process(self, rows: list[dict]) -> list[dict]:
        out = []
        for row in rows:
            if not row["doc"]:
                out.append({**row, "passages": "[]", "vectors": b""})
                continue
            doc = document_from_record(row["doc"])
            passages = chunk_document(doc, self.settings.passage_max_words, self.settings.passage_min_words)
            texts = [embedding_text(doc, p, self.settings.embed_with_headings) for p in passages]
            vectors = (
                self.embedder.embed_passages(texts) if texts else np.zeros((0, self.embedder.dimension), dtype="float32")
            )
            analyses = self.analyzer.analyze_many([p.text for p in passages])
            records = [passage_record(p, a.tokens, a.folded) for p, a in zip(passages, analyses)]
            out.append({**row, "passages": json.dumps(records, ensure_ascii=False),
                        "vectors": np.ascontiguousarray(vectors, dtype="<f4").tobytes()})
        return out

    def __call__(self, batch: dict) -> dict:
        """Ray Data's batch form: columns of equal length."""
        n = len(batch["key"])
        rows = [{k: (v[i].item() if hasattr(v[i], "item") else v[i]) for k, v in batch.items()} for i in range(n)]
        out = self.process(rows)
        return {k: [r[k] for r in out] for k in out[0]} if out else {}
