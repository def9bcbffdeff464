"""SQLite docstore: documents with their display text and structure, passages with
their analyzed tokens and embedding vectors.

Vectors live here (raw float32 bytes, not pickle) so an incremental ingest reuses the
embeddings of unchanged documents and only the FAISS/BM25 structures are rebuilt.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict
from pathlib import Path
from typing import Any, Iterable, Iterator

import numpy as np

from ..documents import Document, DocumentMeta, Paragraph, Passage, Section

SCHEMA = """
CREATE TABLE documents (
  id TEXT PRIMARY KEY, source TEXT NOT NULL, text TEXT NOT NULL,
  meta TEXT NOT NULL, structure TEXT NOT NULL
);
CREATE TABLE passages (
  row INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, doc_id TEXT NOT NULL,
  start INTEGER NOT NULL, "end" INTEGER NOT NULL, section_path TEXT NOT NULL,
  headings TEXT NOT NULL, paragraph INTEGER NOT NULL,
  tokens TEXT NOT NULL, folded TEXT NOT NULL, vector BLOB NOT NULL
);
CREATE INDEX passages_doc ON passages(doc_id);
"""


def _structure_json(doc: Document) -> str:
    return json.dumps(
        {
            "sections": [asdict(s) for s in doc.sections],
            "paragraphs": [asdict(p) for p in doc.paragraphs],
            "blocks": doc.blocks,
        },
        ensure_ascii=False,
    )


def _document_from_row(row: sqlite3.Row | dict[str, Any]) -> Document:
    """A docstore row, or the same columns as a dict (``document_to_dict``)."""
    st = json.loads(row["structure"])
    return Document(
        id=row["id"],
        source=row["source"],
        text=row["text"],
        meta=DocumentMeta.from_dict(json.loads(row["meta"])),
        sections=[Section(tuple(s["path"]), s["heading"], s["start"], s["end"]) for s in st["sections"]],
        paragraphs=[
            Paragraph(p["start"], p["end"], tuple(p["section_path"]), p["number"]) for p in st["paragraphs"]
        ],
        blocks={k: [tuple(x) for x in v] for k, v in st["blocks"].items()},
    )


def document_to_dict(doc: Document) -> dict:
    """A document as plain JSON-able values (the docstore row's columns)."""
    return {"id": doc.id, "source": doc.source, "text": doc.text, "meta": json.dumps(doc.meta.to_dict(), ensure_ascii=False),
            "structure": _structure_json(doc)}  # fmt: skip


def document_from_dict(data: dict) -> Document:
    return _document_from_row(data)


class Docstore:
    def __init__(self, path: Path, create: bool = False):
        self.path = path
        if create:
            self.conn = sqlite3.connect(path, check_same_thread=False)
            self.conn.executescript(SCHEMA)
        else:
            uri = f"file:{path}?mode=ro"
            self.conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        self.conn.row_factory = sqlite3.Row

    def close(self) -> None:
        self.conn.close()

    # --- writing (build time only) -------------------------------------------------
    def add_document(self, doc: Document) -> None:
        self.conn.execute(
            "INSERT INTO documents VALUES (?,?,?,?,?)",
            (doc.id, doc.source, doc.text, json.dumps(doc.meta.to_dict(), ensure_ascii=False), _structure_json(doc)),
        )

    def add_passages(
        self, rows: Iterable[tuple[int, Passage, list[str], list[str], np.ndarray]]
    ) -> None:
        self.conn.executemany(
            "INSERT INTO passages VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (
                (
                    row,
                    p.id,
                    p.doc_id,
                    p.start,
                    p.end,
                    json.dumps(list(p.section_path), ensure_ascii=False),
                    json.dumps(list(p.headings), ensure_ascii=False),
                    p.paragraph,
                    " ".join(tokens),
                    " ".join(folded),
                    np.asarray(vec, dtype="<f4").tobytes(),
                )
                for row, p, tokens, folded, vec in rows
            ),
        )

    def commit(self) -> None:
        self.conn.commit()

    # --- reading -------------------------------------------------------------------
    def document(self, doc_id: str) -> Document | None:
        row = self.conn.execute("SELECT * FROM documents WHERE id=?", (doc_id,)).fetchone()
        return _document_from_row(row) if row else None

    def documents(self) -> list[Document]:
        return list(self.iter_documents())

    def iter_documents(self) -> Iterator[Document]:
        """One document at a time (its own cursor), so a pass over a large collection
        holds one text in memory, not all of them."""
        for r in self.conn.cursor().execute("SELECT * FROM documents ORDER BY id"):
            yield _document_from_row(r)

    def document_metas(self) -> dict[str, tuple[str, DocumentMeta]]:
        """doc id -> (source, meta), without loading texts."""
        return {
            r["id"]: (r["source"], DocumentMeta.from_dict(json.loads(r["meta"])))
            for r in self.conn.execute("SELECT id, source, meta FROM documents")
        }

    def passages(self, texts: dict[str, str] | None = None) -> list[Passage]:
        """All passages in row order (row i is FAISS id i and BM25 document i)."""
        if texts is None:
            texts = {r["id"]: r["text"] for r in self.conn.execute("SELECT id, text FROM documents")}
        out = []
        for r in self.conn.execute(
            'SELECT row, id, doc_id, start, "end", section_path, headings, paragraph FROM passages ORDER BY row'
        ):
            text = texts[r["doc_id"]]
            out.append(
                Passage(
                    id=r["id"],
                    doc_id=r["doc_id"],
                    start=r["start"],
                    end=r["end"],
                    text=text[r["start"] : r["end"]],
                    section_path=tuple(json.loads(r["section_path"])),
                    headings=tuple(json.loads(r["headings"])),
                    paragraph=r["paragraph"],
                )
            )
        return out

    def analyzed_for_doc(self, doc_id: str) -> Iterator[tuple[str, list[str], list[str], np.ndarray]]:
        """(passage id, tokens, folded, vector) of one document, for reuse in a rebuild."""
        for r in self.conn.execute(
            "SELECT id, tokens, folded, vector FROM passages WHERE doc_id=? ORDER BY row", (doc_id,)
        ):
            yield r["id"], r["tokens"].split(), r["folded"].split(), np.frombuffer(r["vector"], dtype="<f4")

    def token_lists(self, column: str) -> Iterator[list[str]]:
        assert column in ("tokens", "folded")
        for r in self.conn.execute(f"SELECT {column} FROM passages ORDER BY row"):
            yield r[0].split()

    def count_passages(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM passages").fetchone()[0])

    def vector_chunks(self, dim: int, rows: int = 8192) -> Iterator[np.ndarray]:
        """The vectors in row order, ``rows`` at a time: a build never holds them all twice."""
        cur = self.conn.execute("SELECT vector FROM passages ORDER BY row")
        while blobs := [r[0] for r in cur.fetchmany(rows)]:
            yield np.frombuffer(b"".join(blobs), dtype="<f4").reshape(len(blobs), dim).astype("float32")

    def vectors(self, dim: int) -> np.ndarray:
        blobs = [r[0] for r in self.conn.execute("SELECT vector FROM passages ORDER BY row")]
        if not blobs:
            return np.zeros((0, dim), dtype="float32")
        return np.frombuffer(b"".join(blobs), dtype="<f4").reshape(len(blobs), dim).astype("float32")
