"""One built index: docstore + FAISS + two BM25 indexes + manifest, opened and verified
together. Building writes a new version directory; see ``layout`` for the switch."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..documents import DocumentMeta, Passage
from ..errors import IndexCorrupt, IndexMissing
from . import dense
from .docstore import Docstore
from .layout import current_version, write_bytes_atomic
from .lexical import LexicalIndex
from .manifest import MANIFEST, Manifest, sha256_file

DOCSTORE = "docstore.sqlite"
LEX_DIR = "bm25"
FOLDED_DIR = "bm25_folded"


@dataclass
class IndexStore:
    root: Path
    directory: Path
    manifest: Manifest
    docstore: Docstore
    dense: object  # faiss.Index
    lexical: LexicalIndex
    folded: LexicalIndex
    passages: list[Passage]
    metas: dict[str, DocumentMeta]
    sources: dict[str, str]  # doc id -> source

    @classmethod
    def open(cls, root: Path) -> "IndexStore":
        """Open and verify the live version. An ingest that publishes meanwhile retires the
        version being opened (its files vanish mid-check): that is not corruption, so the
        open is retried on the new ``CURRENT``; only a failure on a version that is still
        live is reported as ``IndexCorrupt``."""
        attempts = 20
        for attempt in range(attempts):
            directory = current_version(root)
            try:
                return cls._open_version(root, directory)
            except IndexCorrupt:
                if attempt + 1 == attempts or current_version(root) == directory:
                    raise
                time.sleep(0.01 * (attempt + 1))  # a publish switched CURRENT under us: open the new one
        raise AssertionError("unreachable")

    @classmethod
    def _open_version(cls, root: Path, directory: Path | None) -> "IndexStore":
        if directory is None:
            raise IndexMissing(f"{root}: no index found; run `assistant ingest` first")
        manifest = Manifest.read(directory)
        if not {DOCSTORE, dense.FILE} <= set(manifest.files):  # an unlisted file would go unverified
            raise IndexCorrupt(f"{directory}: manifest does not list the index files; rebuild with `assistant ingest --rebuild`")
        manifest.verify(directory)
        try:
            docstore = Docstore(directory / DOCSTORE)
            metas_sources = docstore.document_metas()
            passages = docstore.passages()
            faiss_index = dense.load(directory)
            lexical = LexicalIndex.load(directory / LEX_DIR, len(passages))
            folded = LexicalIndex.load(directory / FOLDED_DIR, len(passages))
        except Exception as exc:  # verified files that still fail to load: refuse, never guess
            raise IndexCorrupt(f"{directory}: index files unreadable ({exc}); rebuild with `assistant ingest --rebuild`") from None
        if faiss_index.ntotal != len(passages) or manifest.passages != len(passages):
            raise IndexCorrupt(f"{directory}: index parts disagree on passage count; rebuild with `assistant ingest --rebuild`")
        return cls(
            root=root,
            directory=directory,
            manifest=manifest,
            docstore=docstore,
            dense=faiss_index,
            lexical=lexical,
            folded=folded,
            passages=passages,
            metas={k: v[1] for k, v in metas_sources.items()},
            sources={k: v[0] for k, v in metas_sources.items()},
        )

    def close(self) -> None:
        self.docstore.close()


def finish_build(build_dir: Path, docstore: Docstore, manifest: Manifest, hnsw_threshold: int) -> Manifest:
    """Derive FAISS and BM25 from the filled docstore, hash everything, write the manifest."""
    docstore.commit()
    n = docstore.count_passages()
    index, kind = dense.build_streamed(n, manifest.dimension, docstore.vector_chunks(manifest.dimension), hnsw_threshold)
    dense.save(index, build_dir)
    ntotal = int(index.ntotal)
    del index  # not held while BM25 is built (60k passages: 92 MB)
    files = [DOCSTORE, dense.FILE]
    lex = LexicalIndex.build(docstore.token_lists("tokens"))
    files += [f"{LEX_DIR}/{f}" for f in lex.save(build_dir / LEX_DIR)]
    fold = LexicalIndex.build(docstore.token_lists("folded"))
    files += [f"{FOLDED_DIR}/{f}" for f in fold.save(build_dir / FOLDED_DIR)]
    docstore.close()
    manifest.passages = ntotal
    manifest.dense_index = kind
    manifest.created = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    manifest.files = {f: sha256_file(build_dir / f) for f in files}
    write_bytes_atomic(build_dir / MANIFEST, manifest.to_json().encode("utf-8"))
    return manifest


def allowed_rows(passages: list[Passage], doc_ids: set[str]) -> np.ndarray:
    return np.array([i for i, p in enumerate(passages) if p.doc_id in doc_ids], dtype="int64")
