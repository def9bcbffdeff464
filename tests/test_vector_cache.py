"""The on-disk passage-vector cache (assistant/embeddings/vector_cache.py) with the test-only
hash embedder, and ingest using it: a second build of the same texts embeds nothing."""

from __future__ import annotations

import json

import numpy as np
import pytest

from assistant.embeddings.fake import HashEmbedder
from assistant.embeddings.vector_cache import CachedEmbedder, VectorCache, text_hash
from assistant.errors import AssistantError
from assistant.ingest import ingest


class Counting(HashEmbedder):
    """Counts the passages that reach the model."""

    def __init__(self):
        super().__init__(dimension=64)
        self.name = "hash:64"
        self.embedded: list[str] = []

    def embed_passages(self, texts, progress=False):
        self.embedded.extend(texts)
        return super().embed_passages(texts, progress)


def test_vectors_survive_a_new_process_and_only_new_texts_are_embedded(tmp_path):
    inner = Counting()
    first = CachedEmbedder(inner, tmp_path)
    a = first.embed_passages(["một hai", "ba bốn", "một hai"])
    assert inner.embedded == ["một hai", "ba bốn", "một hai"]
    again = CachedEmbedder(inner, tmp_path)  # reads the shards back
    assert len(again.cache) == 2
    b = again.embed_passages(["ba bốn", "năm sáu", "một hai"])
    assert inner.embedded[3:] == ["năm sáu"]
    assert (again.hits, again.misses) == (2, 1)
    np.testing.assert_array_equal(b[0], a[1])
    np.testing.assert_array_equal(b[2], a[0])
    np.testing.assert_allclose(b[1], HashEmbedder(64).embed_passages(["năm sáu"])[0])


def test_shards_are_npy_and_json_and_a_broken_shard_is_ignored(tmp_path):
    cache = VectorCache(tmp_path, "model/x:1")
    cache.add([text_hash("a")], np.ones((1, 4), dtype=np.float32))
    shard = next(cache.directory.glob("shard-*.json"))
    meta = json.loads(shard.read_text(encoding="utf-8"))
    assert meta == {"embedder": "model/x:1", "dimension": 4, "keys": [text_hash("a")]}
    assert np.load(shard.with_suffix(".npy"), allow_pickle=False).shape == (1, 4)
    # a shard of another model, a truncated one and one whose rows do not match its keys
    cache.add([text_hash("b")], np.full((1, 4), 2, dtype=np.float32))
    second = sorted(cache.directory.glob("shard-*.json"))[1]
    second.write_text(json.dumps({"embedder": "model/x:1", "dimension": 4, "keys": ["k1", "k2"]}), encoding="utf-8")
    (cache.directory / "shard-9.npy").write_bytes(b"\x93NUMPY broken")
    (cache.directory / "shard-9.json").write_text("{", encoding="utf-8")
    reread = VectorCache(tmp_path, "model/x:1")
    assert len(reread) == 1 and reread.get(text_hash("a")) is not None
    assert len(VectorCache(tmp_path, "model/y:1")) == 0  # another embedder never sees these rows
    with pytest.raises(ValueError):
        reread.add(["c"], np.zeros((1, 5), dtype=np.float32))


def test_ingest_with_a_cached_embedder_embeds_nothing_the_second_time(corpus_copy, hash_settings, tmp_path):
    from assistant.embeddings import make_embedder

    real = make_embedder(hash_settings)
    calls: list[int] = []

    class Spy:
        name, dimension = real.name, real.dimension

        def embed_passages(self, texts, progress=False):
            calls.append(len(texts))
            return real.embed_passages(texts, progress)

        def embed_queries(self, texts):
            return real.embed_queries(texts)

    vectors = tmp_path / "vectors"
    first = ingest([corpus_copy], hash_settings, rebuild=True, progress=False, say=lambda m: None,
                   embedder=CachedEmbedder(Spy(), vectors))
    assert sum(calls) == first.passages > 20
    second_cache = CachedEmbedder(Spy(), vectors)
    again = ingest([corpus_copy], hash_settings, rebuild=True, progress=False, say=lambda m: None, embedder=second_cache)
    assert again.published and again.passages == first.passages
    assert sum(calls) == first.passages and second_cache.misses == 0


def test_ingest_refuses_an_embedder_of_another_name(corpus_copy, hash_settings):
    other = HashEmbedder(64)
    other.name = "not-the-settings-model"
    with pytest.raises(AssistantError, match="not-the-settings-model"):
        ingest([corpus_copy], hash_settings, progress=False, say=lambda m: None, embedder=other)

