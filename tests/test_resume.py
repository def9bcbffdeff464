"""Resumable ingest: the embedding checkpoint, and an ingest killed with SIGKILL midway.

Uses the test-only hash embedder (deterministic, instant) and a few dozen passages."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from assistant.embeddings.fake import HashEmbedder
from assistant.index.checkpoint import (
    FILE,
    EmbeddingCache,
    EmbedStats,
    embed_in_chunks,
    text_key,
)

ROOT = Path(__file__).resolve().parents[1]
TOPICS = ["ngân sách", "giáo dục", "y tế", "giao thông", "nông nghiệp", "du lịch", "môi trường", "đất đai", "thuế", "lao động"]


def write_docs(path: Path, n: int, tag: str) -> None:
    rows = [
        {
            "id": f"{tag}{i}",
            "title": f"Nghị quyết {i}/{tag}",
            "text": f"Điều {i}. Tỉnh ưu tiên {TOPICS[i % len(TOPICS)]} và {TOPICS[(i * 7) % len(TOPICS)]} "
            f"trong giai đoạn {2010 + i % 10}-{2015 + i % 10}; văn bản {tag} số {i} quy định chi tiết việc thực hiện.",
        }
        for i in range(n)
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")


class Counting(HashEmbedder):
    def __init__(self) -> None:
        super().__init__(64)
        self.seen = 0

    def _embed_batch(self, texts, is_query):
        self.seen += len(texts)
        return super()._embed_batch(texts, is_query)


def test_cache_round_trip_and_keys(tmp_path: Path):
    cache = EmbeddingCache.for_index(tmp_path, "m1", 4)
    vecs = np.arange(8, dtype=np.float32).reshape(2, 4)
    keys = [text_key("m1", "a"), text_key("m1", "b")]
    cache.put_many(keys, vecs)
    got = cache.get_many(keys + [text_key("m1", "c")])
    assert set(got) == set(keys)
    assert np.array_equal(got[keys[1]], vecs[1])
    assert text_key("m1", "a") != text_key("m2", "a")  # another model never reuses these vectors
    with pytest.raises(ValueError):
        cache.put_many(keys[:1], np.zeros((1, 3), dtype=np.float32))
    cache.close()
    again = EmbeddingCache.for_index(tmp_path, "m1", 4)  # persisted
    assert len(again) == 2
    again.remove()
    assert not (tmp_path / FILE).exists()


def test_embed_in_chunks_reuses_the_checkpoint(tmp_path: Path):
    emb = Counting()
    texts = [f"đoạn văn số {i} về {TOPICS[i % 10]}" for i in range(37)]
    cache = EmbeddingCache.for_index(tmp_path, emb.name, emb.dimension)
    stats = EmbedStats()
    first = np.concatenate([v for _, v in embed_in_chunks(emb, texts[:20], cache, chunk=8, stats=stats)])
    assert (stats.computed, stats.reused, emb.seen) == (20, 0, 20)
    stats = EmbedStats()
    starts, parts = zip(*embed_in_chunks(emb, texts, cache, chunk=8, stats=stats))
    assert list(starts) == [0, 8, 16, 24, 32]
    allv = np.concatenate(parts)
    assert (stats.computed, stats.reused, emb.seen) == (17, 20, 37)
    assert np.array_equal(allv, emb.embed_passages(texts))
    assert np.array_equal(allv[:20], first)
    cache.close()


CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from assistant.index import checkpoint

    _put = checkpoint.EmbeddingCache.put_many

    def put_many(self, keys, vectors):
        _put(self, keys, vectors)
        print(f"committed {len(self)}", flush=True)
        time.sleep(0.4)  # slow the ingest down so the parent can kill it between chunks

    checkpoint.EmbeddingCache.put_many = put_many
    from assistant.ingest import ingest
    from assistant.settings import Settings

    settings = Settings(index_dir=Path(sys.argv[1]), embedder="hash", embedder_model="64", ingest_chunk=8)
    ingest([Path(sys.argv[2])], settings, progress=False, say=lambda m: None)
    print("finished", flush=True)
    """
)


@pytest.mark.slow
def test_ingest_killed_midway_resumes_and_old_index_stays_live(tmp_path: Path, monkeypatch):
    from assistant.api import Assistant
    from assistant.index.layout import current_version
    from assistant.ingest import ingest
    from assistant.settings import Settings

    index_dir = tmp_path / "index"
    src = tmp_path / "docs.jsonl"
    settings = Settings(index_dir=index_dir, embedder="hash", embedder_model="64", ingest_chunk=8)
    write_docs(src, 6, "cu")
    old = ingest([src], settings, progress=False, say=lambda m: None)
    assert old.published
    old_version = current_version(index_dir)

    write_docs(src, 48, "moi")  # the same file, new content: every passage needs embedding
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    child = subprocess.Popen(
        [sys.executable, str(script), str(index_dir), str(src)], stdout=subprocess.PIPE, text=True, env=env, cwd=tmp_path
    )
    committed = 0
    deadline = time.monotonic() + 120
    try:
        for line in child.stdout:  # wait until at least two chunks are checkpointed
            if line.startswith("committed"):
                committed = int(line.split()[1])
                if committed >= 16:
                    break
            assert time.monotonic() < deadline, "child ingest too slow"
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert committed >= 16

    # between the runs: the live index is the old, complete one
    assert current_version(index_dir) == old_version
    a = Assistant.open(index_dir, settings)
    try:
        assert a.store.manifest.passages == old.passages
        assert {p.doc_id for p in a.store.passages} == {f"cu{i}" for i in range(6)}
        assert a.search("giáo dục", k=3)
    finally:
        a.close()
    assert (index_dir / FILE).exists()

    # the rerun finishes, embedding fewer passages than it indexes
    counter = Counting()
    monkeypatch.setattr("assistant.ingest.make_embedder", lambda s: counter)
    messages: list[str] = []
    report = ingest([src], settings, progress=False, say=messages.append)
    assert report.published
    assert report.new_passages >= 48
    assert counter.seen <= report.new_passages - committed, (counter.seen, report.new_passages, committed)
    assert any("already embedded" in m for m in messages)
    assert not (index_dir / FILE).exists()  # checkpoint removed once published
    assert not [p for p in index_dir.iterdir() if p.name.startswith(".build-")]

    # and the resumed index equals a clean build of the same sources
    clean = Settings(index_dir=tmp_path / "clean", embedder="hash", embedder_model="64", ingest_chunk=8)
    ingest([src], clean, progress=False, say=lambda m: None)
    resumed, fresh = Assistant.open(index_dir, settings), Assistant.open(clean.index_dir, clean)
    try:
        assert resumed.store.manifest.passages == fresh.store.manifest.passages == report.passages
        for q in ["giáo dục", "môi trường và đất đai", "văn bản moi số 7"]:
            assert [h.passage.id for h in resumed.search(q, k=5)] == [h.passage.id for h in fresh.search(q, k=5)]
        assert np.array_equal(resumed.store.docstore.vectors(64), fresh.store.docstore.vectors(64))
    finally:
        resumed.close()
        fresh.close()
