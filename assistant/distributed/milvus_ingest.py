"""Ingest into the Milvus store, in this process or on a Ray cluster.

The driver (this module) decides what changed (SHA-256 per source against the store's
``_sources`` markers, as the local ingest does against its manifest), hands the changed
files to an executor, and writes what comes back to Milvus in batches of about
``Settings.ingest_chunk`` passages. Each source is written whole (all its documents) and
then marked, so an ingest that dies resumes with the sources it had not finished.

Executors yield document rows in any order: ``local`` runs ``pipeline`` here; ``ray``
(``ray_ingest``) runs loading and parsing as Ray tasks and chunking, analysis and
embedding in a pool of Ray actors.

A file that cannot be read is reported and not written; unlike the local store, the
other sources are still written (a Milvus index is updated source by source, and one bad
file among many thousands should not throw away hours of embedding). Removed sources are
deleted only when no file failed, or with ``skip_errors``.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import numpy as np

from ..embeddings import make_embedder
from ..ingest import IngestReport, _Lock, scan, source_key, unique_id
from ..settings import Settings
from ..stores.milvus import document_from_record
from ..stores.milvus_writer import MilvusWriter, SourceBatch
from .pipeline import DocumentWorker, load_source, passage_from_record

Progress = Callable[[str], None]
Executor = Callable[[list[dict], Settings], Iterator[dict]]


def local_executor(tasks: list[dict], settings: Settings) -> Iterator[dict]:
    worker = DocumentWorker(settings.model_dump_json())
    for task in tasks:
        for row in load_source(task, settings.max_file_bytes, settings):
            yield from worker.process([row])


def _rename(batch: SourceBatch, taken: set[str]) -> None:
    """Document ids unique across sources (the local ingest's rule: '-2', '-3'...)."""
    for doc in batch.documents:
        old, new = doc.id, unique_id(doc.id, taken)
        if new == old:
            continue
        doc.id = new
        for p, _toks, _folded, _vec in batch.passages:
            if p.doc_id == old:
                p.doc_id = new
                p.id = new + p.id[len(old):]


def ingest_milvus(
    paths: list[Path] | None = None,
    settings: Settings | None = None,
    *,
    rebuild: bool = False,
    skip_errors: bool = False,
    progress: bool = True,
    say: Progress | None = None,
    executor: Executor | None = None,
) -> IngestReport:
    settings = settings or Settings()
    say = say or (lambda msg: print(msg, file=sys.stderr))
    executor = executor or local_executor
    t0 = time.perf_counter()
    paths = [Path(p) for p in (paths or [settings.corpus_dir])]
    root = Path(settings.index_dir)
    report = IngestReport()
    hashes = scan(paths, settings, False, report)  # symlinks out of the folders refused, sizes checked by stat

    with _Lock(root):
        if hasattr(executor, "prepare"):
            executor.prepare()
        embedder = make_embedder(settings)
        writer = MilvusWriter.open(root, settings, embedder.name, embedder.dimension, settings.index_hash(), rebuild, say)
        try:
            writer.recover(say)
            old = dict(writer.sources)
            scanned = [source_key(p) for p in paths if p.is_dir()]
            named = {source_key(p) for p in paths}
            tasks = []
            for key, (path, digest) in sorted(hashes.items()):
                if key in old and old[key][0] == digest:
                    report.unchanged.append(key)
                    continue
                (report.updated if key in old else report.added).append(key)
                tasks.append({"key": key, "digest": digest, "path": str(path)})
            removed = [
                k for k in old if k not in hashes
                and (k in named or any(k.startswith(d.rstrip("/") + "/") for d in scanned))
            ]
            taken = {d for k, (_, ids) in old.items() if k not in {t["key"] for t in tasks} for d in ids}
            if tasks:
                say(f"processing {len(tasks)} source(s) with {embedder.name}")
                report.new_passages = _run(executor(tasks, settings), writer, settings, report, taken, say, progress)
            if removed and (skip_errors or not report.errors):
                for key in removed:
                    writer.remove_source(key)
                report.removed = removed
            if report.errors and not skip_errors:
                report.note = "the files above were not indexed (the others were): fix or remove them, or pass --skip-errors"
            writer.finish(say)
            report.published = True
            report.passages = int(writer.info["passages"])
            report.documents = sum(len(ids) for _, ids in writer.sources.values())
            if not tasks and not removed:
                report.note = report.note or "index is up to date"
        finally:
            writer.close()
    report.seconds = time.perf_counter() - t0
    return report


def _run(rows: Iterable[dict], writer: MilvusWriter, settings: Settings, report: IngestReport,
         taken: set[str], say: Progress, progress: bool) -> int:
    """Collect document rows into whole sources; write them in batches."""
    partial: dict[str, dict] = {}
    ready: list[SourceBatch] = []
    ready_passages = written = sources_done = 0
    t0 = time.perf_counter()

    def flush() -> None:
        nonlocal ready, ready_passages, written
        for b in ready:
            _rename(b, taken)
        written += writer.write(ready)
        ready, ready_passages = [], 0
        if progress:
            rate = written / max(1e-9, time.perf_counter() - t0)
            say(f"{sources_done} source(s), {written} passages written ({rate:.1f} passages/s)")

    for row in rows:
        key = row["key"]
        if row["error"]:
            (report.skipped if row["skipped"] else report.errors).append(row["error"])
            for lst in (report.added, report.updated):
                if key in lst:
                    lst.remove(key)
            continue
        entry = partial.setdefault(key, {"digest": row["digest"], "count": row["count"], "docs": {}})
        if row["count"]:
            doc = document_from_record(row["doc"])
            dim = writer.info["dimension"]
            vecs = np.frombuffer(row["vectors"], dtype="<f4").reshape(-1, dim) if row["vectors"] else np.zeros((0, dim), dtype="float32")
            items = [(*passage_from_record(r, doc.text), vecs[i]) for i, r in enumerate(json.loads(row["passages"]))]
            entry["docs"][row["index"]] = (doc, items)
        if len(entry["docs"]) == entry["count"]:
            del partial[key]
            docs = [entry["docs"][i] for i in sorted(entry["docs"])]
            batch = SourceBatch(key, entry["digest"], [d for d, _ in docs], [it for _, items in docs for it in items])
            ready.append(batch)
            ready_passages += len(batch.passages)
            sources_done += 1
            if ready_passages >= settings.ingest_chunk:
                flush()
    if ready:
        flush()
    if partial:  # an executor that lost documents: never mark such a source as done
        for key in partial:
            report.errors.append(f"{key}: some documents were not processed; run the ingest again")
    return written
