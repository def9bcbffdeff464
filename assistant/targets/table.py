"""The targets table, stored in the index's SQLite docstore (no pickle).

Two tables join the docstore of each index version: ``targets`` (one row per figure,
JSON-free columns) and ``targets_docs`` (per document: the SHA-256 of its text and the
extractor version that produced its rows). The docstore file is hashed by the manifest,
so the table is verified with the rest of the index.

``update_table`` is the single hook called by ingest on the docstore of the build: rows
of a document whose text and extractor version are unchanged are copied from the
previous index; every other document is extracted again. So the table is rebuilt
incrementally with the index and never disagrees with the documents it lists.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from dataclasses import fields

from ..citations import full_issuer
from ..documents import Document
from .extract import EXTRACTOR_VERSION, extract_document
from .model import JSON_KEYS, TargetRow

SCHEMA = """
CREATE TABLE IF NOT EXISTS targets (
  doc_id TEXT NOT NULL, indicator TEXT NOT NULL, value TEXT NOT NULL, unit TEXT NOT NULL,
  comparator TEXT NOT NULL, period TEXT NOT NULL, kind TEXT NOT NULL, citation TEXT NOT NULL,
  quote TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, number REAL NOT NULL,
  place TEXT NOT NULL, section TEXT NOT NULL, paragraph INTEGER NOT NULL,
  figure_start INTEGER NOT NULL, figure_end INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS targets_doc ON targets(doc_id);
CREATE TABLE IF NOT EXISTS targets_docs (doc_id TEXT PRIMARY KEY, text_sha256 TEXT NOT NULL, version INTEGER NOT NULL);
"""
_COLUMNS = [f.name for f in fields(TargetRow)]


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def has_table(conn: sqlite3.Connection) -> bool:
    row = conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name='targets_docs'").fetchone()
    return row is not None


def _previous_rows(conn: sqlite3.Connection | None) -> dict[str, tuple[str, int]]:
    if conn is None or not has_table(conn):
        return {}
    return {r[0]: (r[1], r[2]) for r in conn.execute("SELECT doc_id, text_sha256, version FROM targets_docs")}


def _insert(conn: sqlite3.Connection, rows: Iterable[TargetRow]) -> None:
    cols = ", ".join(f'"{c}"' for c in _COLUMNS)
    marks = ", ".join("?" for _ in _COLUMNS)
    conn.executemany(f"INSERT INTO targets ({cols}) VALUES ({marks})", ([getattr(r, c) for c in _COLUMNS] for r in rows))


def rows_from(conn: sqlite3.Connection, doc_id: str | None = None) -> list[TargetRow]:
    if not has_table(conn):
        return []
    cols = ", ".join(f'"{c}"' for c in _COLUMNS)
    sql = f"SELECT {cols} FROM targets" + (" WHERE doc_id=?" if doc_id else "") + " ORDER BY doc_id, figure_start"
    return [TargetRow(**dict(zip(_COLUMNS, r))) for r in conn.execute(sql, (doc_id,) if doc_id else ())]


def update_table(
    docs: Iterable[Document], conn: sqlite3.Connection, previous: sqlite3.Connection | None = None,
    say: Callable[[str], None] | None = None,
) -> tuple[int, int]:
    """Fill the targets table of a build (``conn``) for ``docs`` (every document of the
    build); reuse the previous index's rows of unchanged documents. Returns
    (documents extracted, documents copied). Not committed here: the build commits."""
    conn.executescript(SCHEMA)
    old = _previous_rows(previous)
    extracted = copied = 0
    announced = False
    for doc in docs:  # streamed: one document's text in memory at a time
        digest = _sha(doc.text)
        if old.get(doc.id) == (digest, EXTRACTOR_VERSION):
            assert previous is not None
            _insert(conn, rows_from(previous, doc.id))
            copied += 1
        else:
            if say and not announced:
                say("extracting targets and results (chỉ tiêu) from new and changed documents")
                announced = True
            try:
                rows = extract_document(doc)
            except Exception as exc:  # a figure the extractor trips on must not cost the index
                if say:
                    say(f"warning: {doc.source}: no targets extracted ({type(exc).__name__}: {exc}); retried next ingest")
                continue  # not recorded in targets_docs, so the next ingest tries again
            _insert(conn, rows)
            extracted += 1
        conn.execute("INSERT INTO targets_docs VALUES (?,?,?)", (doc.id, digest, EXTRACTOR_VERSION))
    return extracted, copied


# --- reading an index ---------------------------------------------------------------------
def load_rows(store) -> tuple[list[TargetRow], bool]:
    """All rows of an opened ``IndexStore``; extracted on the fly from its documents
    when the index predates the table. Returns (rows, stored)."""
    conn = store.docstore.conn
    if has_table(conn):
        return rows_from(conn), True
    return [r for d in store.docstore.documents() for r in extract_document(d)], False


def filter_rows(
    rows: Iterable[TargetRow], metas: Mapping[str, Any] | None = None, *, doc: str | None = None, province: str | None = None,
    kind: str | None = None, indicator: str | None = None, period: str | None = None,
) -> list[TargetRow]:
    """Rows of one document (id), province (of the document's metadata or the row's
    place), kind, indicator words (all must occur, case- and accent-insensitive) and period."""
    from ..text import fold

    def norm(s: str) -> str:
        return fold(s).lower()

    out = []
    words = norm(indicator).split() if indicator else []
    for r in rows:
        if doc and r.doc_id != doc:
            continue
        if province:
            meta = (metas or {}).get(r.doc_id)
            known = " ".join([meta.province, full_issuer(meta)] if meta else []) + " " + r.place
            if norm(province) not in norm(known):
                continue
        if kind and r.kind != kind:
            continue
        if words and not all(w in norm(r.indicator) for w in words):
            continue
        if period and period not in r.period:
            continue
        out.append(r)
    return out


def to_json(rows: Iterable[TargetRow]) -> str:
    return json.dumps([r.to_dict() for r in rows], ensure_ascii=False, indent=1)


def to_csv(rows: Iterable[TargetRow]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(JSON_KEYS)
    for r in rows:
        d = r.to_dict()
        writer.writerow([d[k] for k in JSON_KEYS])
    return buf.getvalue()
