"""Dense index: type chosen by size, recall of the approximate types against exact search,
exact filtered search, save/load. Small synthetic data (a few thousand vectors), no model."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np
import pytest

from assistant.index import dense


def clustered(n: int, seed: int, dim: int = 64) -> np.ndarray:
    base = np.random.default_rng(7)
    centres = base.standard_normal((40, dim)).astype(np.float32)
    rng = np.random.default_rng(seed)
    x = centres[rng.integers(0, 40, n)] + 0.6 * rng.standard_normal((n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    return clustered(4000, 1), clustered(50, 2)


def exact_top(vectors: np.ndarray, q: np.ndarray, k: int, rows: np.ndarray | None = None) -> list[int]:
    scores = vectors @ q
    if rows is not None:
        mask = np.full(len(vectors), -np.inf)
        mask[rows] = 0
        scores = scores + mask
    return [int(i) for i in np.argsort(-scores, kind="stable")[:k]]


def test_kind_follows_size_threshold(data):
    vectors, _ = data
    assert dense.choose_kind(1000, 1000) == "flat"
    assert dense.choose_kind(1001, 1000) == "hnsw"
    index, kind = dense.build(vectors[:100], hnsw_threshold=100)
    assert kind == "flat" and isinstance(index, faiss.IndexFlatIP) and index.ntotal == 100
    index, kind = dense.build(vectors[:101], hnsw_threshold=100)
    assert kind == "hnsw" and isinstance(index, faiss.IndexHNSWFlat) and index.ntotal == 101
    with pytest.raises(ValueError):
        dense.build(vectors[:10], 100, kind="lsh")


def test_flat_is_exact(data):
    vectors, queries = data
    index, _ = dense.build(vectors, hnsw_threshold=10**9)
    for q in queries[:10]:
        assert [r for r, _ in dense.search(index, q, 10)] == exact_top(vectors, q, 10)


@pytest.mark.parametrize("kind", ["hnsw", "ivf"])
def test_approximate_recall_against_exact(data, kind):
    vectors, queries = data
    index, got = dense.build(vectors, hnsw_threshold=0, kind=kind)
    assert got == kind and index.ntotal == len(vectors)
    recalls = []
    for q in queries:
        found = {r for r, _ in dense.search(index, q, 10)}
        recalls.append(len(found & set(exact_top(vectors, q, 10))) / 10)
    assert np.mean(recalls) >= 0.95, np.mean(recalls)


@pytest.mark.parametrize("kind", ["flat", "hnsw", "ivf"])
def test_small_filtered_search_is_exact_for_every_kind(data, kind):
    vectors, queries = data
    index, _ = dense.build(vectors, hnsw_threshold=0, kind=kind)
    rows = np.arange(5, len(vectors), 97)  # 42 scattered rows: a selective filter
    for q in queries[:10]:
        got = dense.search(index, q, 10, allowed=rows)
        assert [r for r, _ in got] == exact_top(vectors, q, 10, rows)
        assert all(r in set(rows.tolist()) for r, _ in got)
        scores = [s for _, s in got]
        assert scores == sorted(scores, reverse=True)
    assert dense.search(index, queries[0], 10, allowed=np.array([], dtype="int64")) == []


def test_k_larger_than_ef_search_still_returns_k(data):
    vectors, queries = data
    index, _ = dense.build(vectors, hnsw_threshold=0, kind="hnsw")
    got = dense.search(index, queries[0], dense.HNSW_EF_SEARCH + 50)
    assert len(got) == dense.HNSW_EF_SEARCH + 50
    assert len({r for r, _ in got}) == len(got)


@pytest.mark.parametrize("kind", ["flat", "hnsw", "ivf"])
def test_save_load_round_trip(tmp_path: Path, data, kind):
    vectors, queries = data
    index, _ = dense.build(vectors, hnsw_threshold=0, kind=kind)
    dense.save(index, tmp_path)
    again = dense.load(tmp_path)
    assert again.ntotal == len(vectors)
    if kind == "hnsw":
        assert again.hnsw.efSearch == dense.HNSW_EF_SEARCH
    if kind == "ivf":
        assert again.nprobe == min(dense.IVF_NPROBE, again.nlist)
    for q in queries[:5]:
        assert dense.search(again, q, 10) == dense.search(index, q, 10)


def test_ingest_above_threshold_builds_hnsw(tmp_path: Path):
    """The size rule reaches the manifest through a real (hash-embedder) ingest."""
    import json

    from assistant.api import Assistant
    from assistant.ingest import ingest
    from assistant.settings import Settings

    src = tmp_path / "docs.jsonl"
    words = ["ngân sách", "giáo dục", "y tế", "giao thông", "nông nghiệp", "du lịch", "môi trường", "đất đai"]
    rows = [
        {"id": f"d{i}", "title": f"Văn bản {i}",
         "text": f"Điều {i}. Nội dung về {words[i % len(words)]} và {words[(i * 3) % len(words)]} của tỉnh, đoạn số {i} có đủ độ dài để thành một đoạn văn riêng."}
        for i in range(30)
    ]
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    settings = Settings(index_dir=tmp_path / "index", embedder="hash", hnsw_threshold=10)
    report = ingest([src], settings, progress=False, say=lambda m: None)
    assert report.published and report.passages >= 30
    a = Assistant.open(settings.index_dir, settings)
    try:
        assert a.store.manifest.dense_index == "hnsw"
        assert isinstance(a.store.dense, faiss.IndexHNSW)
        hits = a.search("giáo dục", k=5, mode="dense")
        assert len(hits) == 5
    finally:
        a.close()
