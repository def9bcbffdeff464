"""Writing a Milvus index: schema, batches of analysed + embedded sources, re-weighting.

One writer at a time per index (the ingest holds the index directory's lock). Each
batch is written rows first, then document frequencies, then the sources' markers in
``_sources``; the names of the sources being written are recorded in ``_state`` first,
so after a crash the next ingest deletes their partial rows and writes them again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..documents import Document, Passage
from ..errors import AssistantError
from ..retrieval import filter_key
from ..targets.extract import extract_document
from . import bm25
from .milvus import (
    _PLACEHOLDER,
    BATCH,
    PART_CHARS,
    REWEIGHT_TOLERANCE,
    VARCHAR_MAX,
    Names,
    _quote,
    connect,
    document_record,
    iterate,
    read_info,
    read_vocab,
    resolve_uri,
)


_TARGET_FIELDS = [("doc_id", "str", 2048), ("row", "str", VARCHAR_MAX)]


@dataclass
class SourceBatch:
    """One source file, processed: its documents and their passages with terms and vectors."""

    key: str
    digest: str
    documents: list[Document]
    passages: list[tuple[Passage, list[str], list[str], np.ndarray]] = field(default_factory=list)


def _schema(pm, dim: int):
    DataType = pm.DataType
    s = pm.MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    s.add_field("row", DataType.INT64, is_primary=True)
    s.add_field("pid", DataType.VARCHAR, max_length=2048)
    s.add_field("doc_id", DataType.VARCHAR, max_length=2048)
    s.add_field("source", DataType.VARCHAR, max_length=4096)
    s.add_field("start", DataType.INT64)
    s.add_field("end", DataType.INT64)
    s.add_field("paragraph", DataType.INT64)
    s.add_field("text", DataType.VARCHAR, max_length=VARCHAR_MAX)
    s.add_field("section_path", DataType.VARCHAR, max_length=8192)
    s.add_field("headings", DataType.VARCHAR, max_length=VARCHAR_MAX)
    s.add_field("doc_type_key", DataType.VARCHAR, max_length=1024)
    s.add_field("issuer_key", DataType.VARCHAR, max_length=2048)
    s.add_field("province_key", DataType.VARCHAR, max_length=1024)
    s.add_field("year", DataType.INT64)
    s.add_field("tokens", DataType.VARCHAR, max_length=VARCHAR_MAX)
    s.add_field("folded", DataType.VARCHAR, max_length=VARCHAR_MAX)
    s.add_field("avgdl", DataType.DOUBLE)
    s.add_field("dense", DataType.FLOAT_VECTOR, dim=dim)
    s.add_field("sp_tokens", DataType.SPARSE_FLOAT_VECTOR)
    s.add_field("sp_folded", DataType.SPARSE_FLOAT_VECTOR)
    return s


def _table_schema(pm, fields: list[tuple[str, str, int]]):
    """A bookkeeping collection: VARCHAR key, the given fields, the placeholder vector."""
    DataType = pm.DataType
    s = pm.MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    s.add_field("key", DataType.VARCHAR, is_primary=True, max_length=4096)
    for name, kind, length in fields:
        if kind == "str":
            s.add_field(name, DataType.VARCHAR, max_length=length)
        else:
            s.add_field(name, DataType.INT64)
    s.add_field("_v", DataType.FLOAT_VECTOR, dim=2)
    return s


class MilvusWriter:
    def __init__(self, client, names: Names, info: dict, uri: str):
        self.client = client
        self.names = names
        self.info = info
        self.uri = uri
        self.vocab, self.folded_vocab = read_vocab(client, names)
        self.sources = self._read_sources()
        self._dirty_terms: set[str] = set()

    # -- opening ----------------------------------------------------------------------
    @classmethod
    def open(cls, root: Path, settings, embedder: str, dimension: int, settings_hash: str, rebuild: bool, say) -> MilvusWriter:
        pm = __import__("pymilvus")
        client = connect(root, settings, create=True)
        names = Names(settings.milvus_collection)
        uri = resolve_uri(root, settings)
        exists = all(client.has_collection(n) for n in names.all())
        info = {}
        if exists:
            for n in names.all():
                client.load_collection(n)
            info = read_info(client, names)
            reason = None
            if rebuild:
                reason = "rebuild asked"
            elif info.get("embedder") != embedder or int(info.get("dimension", 0)) != dimension:
                reason = f"embedder changed ({info.get('embedder')} -> {embedder})"
            elif info.get("settings_hash") != settings_hash:
                reason = "chunking/embedding settings changed"
            if reason:
                say(f"{reason}: rebuilding the whole Milvus index {settings.milvus_collection!r}")
                exists = False
        if not exists:
            for n in [*names.all(), names.targets]:
                if client.has_collection(n):
                    client.drop_collection(n)
            cls._create(pm, client, names, dimension, settings.milvus_dense_index)
            info = {
                "embedder": embedder, "dimension": dimension, "settings_hash": settings_hash,
                "dense_index": settings.milvus_dense_index.upper(),
                "passages": 0, "total_len": 0, "next_row": 0, "next_tid": 0, "pending": [],
            }
            writer = cls(client, names, info, uri)
            writer._save_info()
            return writer
        if not client.has_collection(names.targets):  # written before the targets table existed
            tip = client.prepare_index_params()
            tip.add_index("_v", index_type="FLAT", metric_type="IP")
            client.create_collection(names.targets, schema=_table_schema(pm, _TARGET_FIELDS), index_params=tip,
                                     consistency_level="Strong")
        client.load_collection(names.targets)
        return cls(client, names, info, uri)

    @staticmethod
    def _create(pm, client, names: Names, dim: int, dense_index: str) -> None:
        kind = dense_index.upper()
        ip = client.prepare_index_params()
        params = {"M": 32, "efConstruction": 80} if kind == "HNSW" else {"nlist": 1024} if kind.startswith("IVF") else {}
        ip.add_index("dense", index_type=kind, metric_type="IP", params=params)
        for f in ("sp_tokens", "sp_folded"):
            ip.add_index(f, index_type="SPARSE_INVERTED_INDEX", metric_type="IP", params={"drop_ratio_build": 0.0})
        client.create_collection(names.passages, schema=_schema(pm, dim), index_params=ip, consistency_level="Strong")
        tables = {
            names.documents: [("source", "str", 4096), ("meta", "str", VARCHAR_MAX)],
            names.parts: [("doc_id", "str", 2048), ("part", "int", 0), ("body", "str", VARCHAR_MAX)],
            names.terms: [("tid", "int", 0), ("df", "int", 0)],
            names.sources: [("sha256", "str", 128), ("doc_ids", "str", VARCHAR_MAX)],
            names.state: [("value", "str", VARCHAR_MAX)],
            names.targets: _TARGET_FIELDS,
        }
        for name, fields in tables.items():
            tip = client.prepare_index_params()
            tip.add_index("_v", index_type="FLAT", metric_type="IP")
            client.create_collection(name, schema=_table_schema(pm, fields), index_params=tip, consistency_level="Strong")

    def _read_sources(self) -> dict[str, tuple[str, list[str]]]:
        return {
            r["key"]: (r["sha256"], json.loads(r["doc_ids"]))
            for r in iterate(self.client, self.names.sources, ["key", "sha256", "doc_ids"])
        }

    def _save_info(self) -> None:
        self.client.upsert(self.names.state, [{"key": "info", "value": json.dumps(self.info), "_v": _PLACEHOLDER}])

    # -- writing ----------------------------------------------------------------------
    def recover(self, say) -> list[str]:
        """Delete the partial rows of sources an interrupted ingest was writing."""
        pending = [k for k in self.info.get("pending", []) if k not in self.sources]
        for key in pending:
            self._delete_source_rows(key, self._doc_ids_of_rows(key))
        if pending:
            say(f"recovered from an interrupted ingest: {len(pending)} partly written source(s) will be written again")
        self.info["pending"] = []
        self._flush_terms()
        self._save_info()
        return pending

    def _doc_ids_of_rows(self, key: str) -> list[str]:
        return sorted({r["doc_id"] for r in iterate(self.client, self.names.passages, ["doc_id"], f"source == {_quote(key)}")})

    def remove_source(self, key: str) -> None:
        entry = self.sources.pop(key, None)
        self.client.delete(self.names.sources, ids=[key])  # marker first: a crash now re-processes it
        self._delete_source_rows(key, entry[1] if entry else self._doc_ids_of_rows(key))
        self._flush_terms()
        self._save_info()

    def _delete_source_rows(self, key: str, doc_ids: list[str]) -> None:
        expr = f"source == {_quote(key)}"
        n = 0
        for r in iterate(self.client, self.names.passages, ["tokens", "folded"], expr):
            toks = r["tokens"].split()
            self._count(toks, r["folded"].split(), -1)
            self.info["total_len"] -= len(toks)
            n += 1
        self.client.delete(self.names.passages, filter=expr)
        self.info["passages"] -= n
        for doc_id in doc_ids:
            self.client.delete(self.names.parts, filter=f"doc_id == {_quote(doc_id)}")
            self.client.delete(self.names.targets, filter=f"doc_id == {_quote(doc_id)}")
        if doc_ids:
            self.client.delete(self.names.documents, ids=list(doc_ids))

    def _count(self, tokens: list[str], folded: list[str], sign: int) -> None:
        for prefix, vocab, terms in (("t", self.vocab, tokens), ("f", self.folded_vocab, folded)):
            for term in set(terms):
                tid, df = vocab.get(term, (None, 0))
                if tid is None:
                    tid = self.info["next_tid"]
                    self.info["next_tid"] += 1
                vocab[term] = (tid, max(0, df + sign))
                self._dirty_terms.add(f"{prefix}:{term}")

    def _flush_terms(self) -> None:
        rows = []
        for key in self._dirty_terms:
            kind, term = key.split(":", 1)
            tid, df = (self.folded_vocab if kind == "f" else self.vocab)[term]
            rows.append({"key": key, "tid": tid, "df": df, "_v": _PLACEHOLDER})
        for start in range(0, len(rows), BATCH):
            self.client.upsert(self.names.terms, rows[start : start + BATCH])
        self._dirty_terms.clear()

    def write(self, batch: list[SourceBatch]) -> int:
        """Write these sources (replacing their previous versions); returns passages written."""
        if not batch:
            return 0
        self.info["pending"] = [b.key for b in batch]
        self._save_info()
        for b in batch:
            if b.key in self.sources:
                self.remove_source(b.key)
        new_len = sum(len(t) for b in batch for _, t, _, _ in b.passages)
        new_n = sum(len(b.passages) for b in batch)
        avgdl = (self.info["total_len"] + new_len) / max(1, self.info["passages"] + new_n)
        rows, docs, parts, targets = [], [], [], []
        for b in batch:
            metas = {}
            for doc in b.documents:
                metas[doc.id] = doc.meta
                for i, t in enumerate(extract_document(doc)):  # the targets table, as the local docstore has it
                    targets.append({"key": f"{doc.id}#{i:06d}", "doc_id": doc.id,
                                    "row": json.dumps(t.to_dict(), ensure_ascii=False), "_v": _PLACEHOLDER})
                docs.append({"key": doc.id, "source": doc.source, "meta": json.dumps(doc.meta.to_dict(), ensure_ascii=False), "_v": _PLACEHOLDER})
                record = document_record(doc)
                for i, start in enumerate(range(0, max(1, len(record)), PART_CHARS)):
                    body = record[start : start + PART_CHARS]
                    parts.append({"key": f"{doc.id}#{i:06d}", "doc_id": doc.id, "part": i, "body": body, "_v": _PLACEHOLDER})
            for p, toks, folded, vec in b.passages:
                self._count(toks, folded, +1)
                meta = metas[p.doc_id]
                row = {
                    "row": self.info["next_row"], "pid": p.id, "doc_id": p.doc_id, "source": b.key,
                    "start": p.start, "end": p.end, "paragraph": p.paragraph, "text": p.text,
                    "section_path": json.dumps(list(p.section_path), ensure_ascii=False),
                    "headings": json.dumps(list(p.headings), ensure_ascii=False),
                    "doc_type_key": filter_key(meta.doc_type), "issuer_key": filter_key(meta.issuer),
                    "province_key": filter_key(meta.province), "year": meta.year or -1,
                    "tokens": " ".join(toks), "folded": " ".join(folded), "avgdl": avgdl,
                    "dense": np.asarray(vec, dtype="float32").tolist(),
                }
                self._weigh(row, toks, folded, avgdl)
                for f in ("text", "tokens", "folded", "headings"):
                    if len(row[f].encode("utf-8")) > VARCHAR_MAX:
                        raise AssistantError(f"{b.key}: passage {p.id} is longer than Milvus's 64 KB field limit ({f})")
                rows.append(row)
                self.info["next_row"] += 1
        for table, data in ((self.names.documents, docs), (self.names.parts, parts), (self.names.targets, targets),
                            (self.names.passages, rows)):
            for start in range(0, len(data), BATCH):
                self.client.insert(table, data[start : start + BATCH])
        self.info["passages"] += new_n
        self.info["total_len"] += new_len
        self._flush_terms()
        markers = [
            {"key": b.key, "sha256": b.digest, "doc_ids": json.dumps([d.id for d in b.documents], ensure_ascii=False), "_v": _PLACEHOLDER}
            for b in batch
        ]
        self.client.upsert(self.names.sources, markers)
        for b in batch:
            self.sources[b.key] = (b.digest, [d.id for d in b.documents])
        self.info["pending"] = []
        self._save_info()
        return new_n

    def _weigh(self, row: dict, toks: list[str], folded: list[str], avgdl: float) -> None:
        row["sp_tokens"] = bm25.passage_weights([self.vocab[t][0] for t in toks], avgdl)
        row["sp_folded"] = bm25.passage_weights([self.folded_vocab[t][0] for t in folded], avgdl)

    def finish(self, say) -> int:
        """Re-weight rows written under an average length that has since moved; flush."""
        avgdl = self.info["total_len"] / max(1, self.info["passages"])
        lo, hi = avgdl * (1 - REWEIGHT_TOLERANCE), avgdl * (1 + REWEIGHT_TOLERANCE)
        fields = ["row", "pid", "doc_id", "source", "start", "end", "paragraph", "text", "section_path", "headings",
                  "doc_type_key", "issuer_key", "province_key", "year", "tokens", "folded", "dense"]
        expr = f"avgdl < {lo!r} or avgdl > {hi!r}"
        stale_rows = [int(r["row"]) for r in iterate(self.client, self.names.passages, ["row"], expr)]
        n = 0
        for start in range(0, len(stale_rows), BATCH):
            batch = []
            for r in self.client.query(self.names.passages, ids=stale_rows[start : start + BATCH], output_fields=fields):
                r = dict(r)
                r["avgdl"] = avgdl
                r["dense"] = [float(x) for x in r["dense"]]
                self._weigh(r, r["tokens"].split(), r["folded"].split(), avgdl)
                batch.append(r)
            self.client.upsert(self.names.passages, batch)
            n += len(batch)
        if n:
            say(f"re-weighted BM25 of {n} passages (average passage length now {avgdl:.1f} terms)")
        for name in [*self.names.all(), self.names.targets]:
            self.client.flush(name)
        return n

    def close(self) -> None:
        self.client.close()
