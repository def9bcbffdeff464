"""The Milvus backend: passages, vectors, BM25 and documents in Milvus collections.

``uri`` is a milvus-lite file (tests, one machine; default ``<index_dir>/milvus.db``) or a
Milvus standalone/cluster (``http://host:19530``). Collections, all prefixed by
``Settings.milvus_collection``:

- ``_passages``: one row per passage, primary key = row. Dense vector (exact FLAT by
  default), two sparse BM25 vectors (tone-unified tokens and the folded copy, weighted by
  ``bm25``), the analysed terms as text (to keep document frequencies right when a
  source is replaced, and to re-weight), the passage text and position, and the filter
  keys of its document (``retrieval.filter_key`` of type, issuer, province; year), so
  filters become Milvus expressions evaluated next to the vectors.
- ``_documents``: doc id -> source, metadata JSON; ``_doc_parts``: the full document
  record (text + structure, the docstore's JSON) cut into parts under Milvus's 64 KB
  VARCHAR limit.
- ``_terms``: term -> (sparse dimension id, document frequency), per analysis kind.
- ``_sources``: source key -> SHA-256 and doc ids: written last for each source, so a
  crashed ingest resumes where it stopped. ``_state``: embedder, dimension, settings
  hash, counters.

Milvus requires a vector field in every collection: the bookkeeping collections carry
a constant 2-d one (``_v``) that is never searched.

Unlike the local index (complete versions switched atomically), a Milvus index is
updated in place, source by source: readers see a source's old passages until its new
ones are written.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from ..documents import Document, DocumentMeta, Paragraph, Passage, Section
from ..targets.model import TargetRow
from ..errors import AssistantError, IndexMissing
from ..index import dense
from ..index.manifest import Manifest
from . import bm25
from .base import Ranked

LITE_FILE = "milvus.db"
VARCHAR_MAX = 65_535  # bytes, Milvus's VARCHAR limit
PART_CHARS = 16_000  # document record parts: at most 4 UTF-8 bytes a character -> < 64 KB
BATCH = 1000  # rows per insert/query round trip
#: Candidates ``passages_mentioning`` reads: documents that mention a số hiệu or a place
#: name the collection has no document of (answering's scope), checked by the caller.
MENTION_CANDIDATES = 2000
#: A row's BM25 weights are recomputed when the collection's average passage length has
#: moved by more than this since they were written (bm25s recomputes all on every build).
REWEIGHT_TOLERANCE = 0.002
_PLACEHOLDER = [1.0, 0.0]
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,200}$")


def _unimplemented_filter(record: logging.LogRecord) -> bool:
    return "Method not implemented" not in record.getMessage() and not (
        record.exc_info and isinstance(record.exc_info[1], NotImplementedError)
    )


def _pymilvus():
    try:
        import pymilvus

        # Query iterators ask milvus-lite for a timestamp it does not serve: pymilvus warns and
        # the embedded server logs a traceback on every call, then both go on correctly.
        logging.getLogger("pymilvus").setLevel(logging.ERROR)
        logging.getLogger("grpc._server").addFilter(_unimplemented_filter)
    except ImportError:
        raise AssistantError(
            "the Milvus store needs pymilvus and milvus-lite: pip install 'vn-policy-assistant[scale]'"
        ) from None
    return pymilvus


def resolve_uri(root: Path, settings) -> str:
    uri = settings.milvus_uri or str(Path(root) / LITE_FILE)
    return uri if "://" in uri else str(Path(uri).resolve())


def connect(root: Path, settings, create: bool = False):
    """A client for the store's Milvus. A milvus-lite file is created only when writing."""
    pm = _pymilvus()
    uri = resolve_uri(root, settings)
    if "://" not in uri:
        if not create and not Path(uri).exists():
            raise IndexMissing(f"{uri}: no Milvus index here; run `assistant ingest --store milvus` first")
        Path(uri).parent.mkdir(parents=True, exist_ok=True)
    token = settings.milvus_token.get_secret_value()
    try:
        return pm.MilvusClient(uri=uri, token=token) if token else pm.MilvusClient(uri=uri)
    except Exception as exc:  # noqa: BLE001 - connection errors come in many types
        raise AssistantError(f"cannot reach Milvus at {uri}: {str(exc).splitlines()[0][:300]}") from None


class Names:
    def __init__(self, prefix: str):
        if not _NAME.match(prefix):
            raise AssistantError(f"milvus_collection {prefix!r}: use letters, digits and '_' (not first a digit)")
        self.passages = f"{prefix}_passages"
        self.documents = f"{prefix}_documents"
        self.parts = f"{prefix}_doc_parts"
        self.terms = f"{prefix}_terms"
        self.sources = f"{prefix}_sources"
        self.state = f"{prefix}_state"
        #: the targets table (one row per figure); not in ``all()``: a store written before it
        #: existed still opens, with an empty table
        self.targets = f"{prefix}_targets"

    def all(self) -> list[str]:
        return [self.passages, self.documents, self.parts, self.terms, self.sources, self.state]


# --- filters -> expressions ------------------------------------------------------------
def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def filter_expression(filters, metas: dict[str, DocumentMeta]) -> str:
    """``Filters`` as a Milvus boolean expression over the passage rows' filter keys
    (same keys and same meaning as ``Filters.accepts``)."""
    from ..retrieval import filter_key

    parts: list[str] = []
    if filters.doc:
        parts.append("doc_id in [" + ", ".join(_quote(d) for d in filters.doc) + "]")
    if filters.doc_type:
        parts.append(f"doc_type_key == {_quote(filter_key(filters.doc_type))}")
    if filters.issuer:
        key = filter_key(filters.issuer)
        if "%" in key or "_" in key:  # LIKE wildcards in the value: match by document instead
            docs = [d for d, m in metas.items() if key in filter_key(m.issuer)]
            parts.append("doc_id in [" + ", ".join(_quote(d) for d in docs) + "]")
        else:
            parts.append(f"issuer_key like {_quote('%' + key + '%')}")
    if filters.province:
        parts.append(f"province_key == {_quote(filter_key(filters.province))}")
    if filters.year:
        parts.append(f"year == {int(filters.year)}")
    return " and ".join(f"({p})" for p in parts)


# --- documents as JSON records (the docstore's format) ----------------------------------
def document_record(doc: Document) -> str:
    return json.dumps(
        {
            "id": doc.id,
            "source": doc.source,
            "text": doc.text,
            "meta": doc.meta.to_dict(),
            "sections": [asdict(s) for s in doc.sections],
            "paragraphs": [asdict(p) for p in doc.paragraphs],
            "blocks": doc.blocks,
        },
        ensure_ascii=False,
    )


def document_from_record(record: str) -> Document:
    st = json.loads(record)
    return Document(
        id=st["id"],
        source=st["source"],
        text=st["text"],
        meta=DocumentMeta.from_dict(st["meta"]),
        sections=[Section(tuple(s["path"]), s["heading"], s["start"], s["end"]) for s in st["sections"]],
        paragraphs=[Paragraph(p["start"], p["end"], tuple(p["section_path"]), p["number"]) for p in st["paragraphs"]],
        blocks={k: [tuple(x) for x in v] for k, v in st["blocks"].items()},
    )


def _passage_from_row(r: dict) -> Passage:
    return Passage(
        id=r["pid"],
        doc_id=r["doc_id"],
        start=int(r["start"]),
        end=int(r["end"]),
        text=r["text"],
        section_path=tuple(json.loads(r["section_path"])),
        headings=tuple(json.loads(r["headings"])),
        paragraph=int(r["paragraph"]),
    )


PASSAGE_FIELDS = ["row", "pid", "doc_id", "start", "end", "text", "section_path", "headings", "paragraph"]


def iterate(client, collection: str, fields: list[str], expr: str = "") -> Iterator[dict]:
    it = client.query_iterator(collection, batch_size=BATCH, filter=expr, output_fields=fields)
    try:
        while True:
            batch = it.next()
            if not batch:
                return
            yield from batch
    finally:
        it.close()


# --- the read side ------------------------------------------------------------------------
class _Passages(Sequence):
    """Position i -> the i-th passage in row order, fetched on demand. Neither search nor
    answering enumerates passages (they use ``passages_at``, ``vectors``,
    ``passages_mentioning``); this is for tools that do (``assistant docs`` counts)."""

    def __init__(self, store: MilvusStore):
        self.store = store

    def __len__(self) -> int:
        return self.store.count()

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return self.store.passages_at([int(r) for r in self.store.rows()[i]])
        return self.store.passages_at([int(self.store.rows()[i])])[0]

    def __iter__(self):
        rows = self.store.rows()
        for start in range(0, len(rows), BATCH):
            yield from self.store.passages_at([int(r) for r in rows[start : start + BATCH]])


class MilvusStore:
    def __init__(self, client, names: Names, info: dict, metas: dict, sources: dict, vocab: dict, folded_vocab: dict, uri: str):
        self.client = client
        self.names = names
        self.info = info
        self.uri = uri
        self.directory = uri
        self.metas = metas
        self.sources = sources
        self.vocab = vocab
        self.folded_vocab = folded_vocab
        self.manifest = Manifest(
            embedder=info["embedder"], dimension=int(info["dimension"]), settings_hash=info.get("settings_hash", "")
        )
        self.manifest.passages = int(info.get("passages", 0))
        self.manifest.dense_index = info.get("dense_index", "FLAT")
        self._rows: np.ndarray | None = None
        self.passages = _Passages(self)
        self._analyzer: Any = None  # text.Analyzer, built on the first passages_mentioning

    @classmethod
    def open(cls, root: Path, settings) -> MilvusStore:
        client = connect(root, settings)
        names = Names(settings.milvus_collection)
        uri = resolve_uri(root, settings)
        if not all(client.has_collection(n) for n in names.all()):
            client.close()
            raise IndexMissing(f"{uri}: no Milvus index {settings.milvus_collection!r}; run `assistant ingest --store milvus` first")
        for n in names.all():
            client.load_collection(n)
        info = read_info(client, names)
        if not info.get("embedder"):
            client.close()
            raise IndexMissing(f"{uri}: the Milvus index {settings.milvus_collection!r} was never completed; run `assistant ingest --store milvus`")
        metas, sources = {}, {}
        for r in iterate(client, names.documents, ["key", "source", "meta"]):
            metas[r["key"]] = DocumentMeta.from_dict(json.loads(r["meta"]))
            sources[r["key"]] = r["source"]
        vocab, folded = read_vocab(client, names)
        return cls(client, names, info, metas, sources, vocab, folded, uri)

    # -- Store protocol -------------------------------------------------------------------
    def count(self) -> int:
        return int(self.info.get("passages", 0))

    def rows(self) -> np.ndarray:
        if self._rows is None:
            rows = [r["row"] for r in iterate(self.client, self.names.passages, ["row"])]
            self._rows = np.sort(np.array(rows, dtype="int64"))
        return self._rows

    def scope(self, filters) -> str | None:
        if filters is None or filters.is_empty():
            return None
        return filter_expression(filters, self.metas)

    def _search(self, field: str, vector, n: int, scope: str | None, params: dict) -> Ranked:
        if n <= 0 or not self.count():
            return []
        res = self.client.search(
            self.names.passages,
            data=[vector],
            anns_field=field,
            limit=min(n, 16_384),
            filter=scope or "",
            output_fields=["row"],
            search_params={"metric_type": "IP", "params": params},
        )
        hits = [(int(h["row"]), float(h["distance"])) for h in res[0]]
        return sorted(hits, key=lambda x: (-x[1], x[0]))  # deterministic ties, as the local backend

    def dense_search(self, vector: np.ndarray, n: int, scope: str | None) -> Ranked:
        kind = self.manifest.dense_index
        # the local index's search breadth (index/dense.py), so approximate indexes recall alike
        params = {"ef": max(dense.HNSW_EF_SEARCH, n)} if kind == "HNSW" else {"nprobe": dense.IVF_NPROBE} if kind.startswith("IVF") else {}
        return self._search("dense", np.asarray(vector, dtype="float32").reshape(-1).tolist(), n, scope, params)

    def lexical_search(self, tokens: list[str], n: int, scope: str | None, folded: bool = False) -> Ranked:
        weights = bm25.query_weights(tokens, self.folded_vocab if folded else self.vocab, self.count())
        if not weights:
            return []
        hits = self._search("sp_folded" if folded else "sp_tokens", weights, n, scope, {"drop_ratio_search": 0.0})
        return [(r, s) for r, s in hits if s > 0]

    def passages_at(self, rows: list[int]) -> list[Passage]:
        if not rows:
            return []
        got = {}
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            for r in self.client.query(self.names.passages, ids=chunk, output_fields=PASSAGE_FIELDS):
                got[int(r["row"])] = _passage_from_row(r)
        missing = [r for r in rows if r not in got]
        if missing:
            raise AssistantError(f"{self.uri}: passages {missing[:5]} vanished during the search (an ingest is replacing them); search again")
        return [got[r] for r in rows]

    def passage_counts(self) -> dict[str, int]:
        """One pass over the passages' doc ids only (no text, no vectors)."""
        counts: dict[str, int] = {}
        for r in iterate(self.client, self.names.passages, ["doc_id"]):
            counts[r["doc_id"]] = counts.get(r["doc_id"], 0) + 1
        return counts

    def doc_ids_at(self, rows: list[int]) -> list[str]:
        got: dict[int, str] = {}
        for start in range(0, len(rows), BATCH):
            for r in self.client.query(self.names.passages, ids=rows[start : start + BATCH], output_fields=["row", "doc_id"]):
                got[int(r["row"])] = r["doc_id"]
        missing = [r for r in rows if r not in got]
        if missing:
            raise AssistantError(f"{self.uri}: passages {missing[:5]} vanished during the search (an ingest is replacing them); search again")
        return [got[r] for r in rows]

    def doc_freqs(self, terms: Iterable[str], folded: bool = False) -> dict[str, int]:
        """From the term statistics read at open (``_terms``; the same ones lexical search
        weighs queries with, so the two never disagree)."""
        vocab = self.folded_vocab if folded else self.vocab
        return {t: vocab[t][1] for t in terms if t in vocab}

    def vectors(self, passage_ids: list[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        ids = list(dict.fromkeys(passage_ids))
        for start in range(0, len(ids), BATCH):
            expr = f"pid in [{', '.join(_quote(p) for p in ids[start : start + BATCH])}]"
            for r in self.client.query(self.names.passages, filter=expr, output_fields=["pid", "dense"]):
                out[r["pid"]] = np.asarray(r["dense"], dtype="float32")
        return out

    def passages_mentioning(self, text: str) -> list[Passage]:
        """The best ``MENTION_CANDIDATES`` passages by BM25 over the folded terms of ``text``:
        a passage that contains the words has their syllables among its terms, so it ranks
        high; the caller's rule decides. Bounded, unlike a scan of every passage."""
        if self._analyzer is None:
            from ..text import Analyzer

            self._analyzer = Analyzer()
        terms = list(dict.fromkeys(self._analyzer.analyze(text).folded))
        hits = self.lexical_search(terms, MENTION_CANDIDATES, None, folded=True)
        return self.passages_at([r for r, _ in hits])

    def target_rows(self) -> list[TargetRow]:
        """The targets table (issue 14), as the local docstore holds it; empty for a store
        written before the table existed."""
        if not self.client.has_collection(self.names.targets):
            return []
        self.client.load_collection(self.names.targets)
        rows = [(r["key"], TargetRow.from_dict(json.loads(r["row"])))
                for r in iterate(self.client, self.names.targets, ["key", "row"])]
        return [r for _, r in sorted(rows, key=lambda x: x[0])]

    def document(self, doc_id: str) -> Document | None:
        parts = self.client.query(self.names.parts, filter=f"doc_id == {_quote(doc_id)}", output_fields=["part", "body"])
        if not parts:
            return None
        return document_from_record("".join(p["body"] for p in sorted(parts, key=lambda p: p["part"])))

    def close(self) -> None:
        self.client.close()


def read_info(client, names: Names) -> dict:
    got = client.query(names.state, ids=["info"], output_fields=["value"])
    return json.loads(got[0]["value"]) if got else {}


def read_vocab(client, names: Names) -> tuple[dict[str, tuple[int, int]], dict[str, tuple[int, int]]]:
    vocab: dict[str, tuple[int, int]] = {}
    folded: dict[str, tuple[int, int]] = {}
    for r in iterate(client, names.terms, ["key", "tid", "df"]):
        kind, term = r["key"].split(":", 1)
        (folded if kind == "f" else vocab)[term] = (int(r["tid"]), int(r["df"]))
    return vocab, folded
