"""The ``Store`` contract, run on both backends: the local files and a real milvus-lite.

Both are built from the same corpus with the same (hash) embedder and analyzer, and must
behave alike: counts, exact quotes, filters, accent-less and document-number queries,
documents, incremental updates, and the very same rankings (fusion is shared code).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.api import Assistant
from assistant.retrieval import Filters
from assistant.settings import Settings

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
BACKENDS = ["local", pytest.param("milvus", marks=pytest.mark.integration)]
QUERIES = ["cụm công nghiệp Lao Bảo", "muc tieu tang truong cong nghiep", "Kết luận 11-KL/TU", "tiểu thủ công nghiệp nông thôn"]


def _ingest(settings: Settings, paths: list[Path], **kw):
    if settings.store == "milvus":
        pytest.importorskip("pymilvus")
        from assistant.distributed.milvus_ingest import ingest_milvus

        return ingest_milvus(paths, settings, progress=False, say=lambda m: None, **kw)
    from assistant.ingest import ingest

    return ingest(paths, settings, progress=False, say=lambda m: None, **kw)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = {}
    for kind in ("local", "milvus"):
        if kind == "milvus":
            pytest.importorskip("pymilvus")
        settings = Settings(index_dir=tmp_path_factory.mktemp(kind) / "index", embedder="hash", store=kind)
        report = _ingest(settings, [CORPUS])
        assert not report.errors and report.passages > 0
        out[kind] = Assistant.open(settings.index_dir, settings)
    yield out
    for a in out.values():
        a.close()


@pytest.mark.parametrize("kind", BACKENDS)
def test_counts_and_exact_quotes(built, kind):
    a = built[kind]
    assert a.store.count() == len(a.store.passages) == built["local"].store.count()
    docs = a.documents()
    assert {d for d, *_ in docs} == set(a.store.metas) and sum(n for *_, n in docs) == a.store.count()
    for h in a.search("cụm công nghiệp", k=5):
        doc = a.document(h.passage.doc_id)
        assert doc is not None and doc.text[h.passage.start : h.passage.end] == h.passage.text
        assert h.citation and h.meta is a.store.metas[h.passage.doc_id]


@pytest.mark.parametrize("kind", BACKENDS)
def test_filters(built, kind):
    a = built[kind]
    metas = a.store.metas
    qt = next(d for d, m in metas.items() if m.province == "Quảng Trị")
    for filters, ok in [
        (Filters(province="quang tri"), lambda m, d: m.province == "Quảng Trị"),
        (Filters(doc=[qt]), lambda m, d: d == qt),
        (Filters(issuer="tỉnh ủy"), lambda m, d: "tinh uy" in m.issuer.lower().replace("ỉ", "i").replace("ủ", "u")),
        (Filters(year=metas[qt].year), lambda m, d: m.year == metas[qt].year),
        (Filters(doc_type=metas[qt].doc_type.upper()), lambda m, d: m.doc_type == metas[qt].doc_type),
    ]:
        hits = a.search("phát triển công nghiệp", k=10, filters=filters)
        assert hits and all(ok(h.meta, h.passage.doc_id) for h in hits), filters
    assert a.search("công nghiệp", filters=Filters(province="Hà Giang")) == []
    assert a.search("công nghiệp", filters=Filters(year=1901)) == []
    # values are data, never expression syntax (Milvus) nor wildcards
    assert a.search("công nghiệp", filters=Filters(issuer='x" or year > 0 or "')) == []
    assert a.search("công nghiệp", filters=Filters(issuer="%")) == []
    assert a.search("công nghiệp", filters=Filters(province='Quảng Trị\\" or "1"=="1')) == []


@pytest.mark.parametrize("kind", BACKENDS)
def test_accentless_and_document_number(built, kind):
    a = built[kind]
    hits = a.search("cum cong nghiep Lao Bao", k=3, mode="lexical")
    assert hits and "Lao Bảo" in hits[0].passage.text
    hits = a.search("Kết luận số 11-KL/TU nói gì", k=3)
    assert hits and hits[0].meta.number == "11-KL/TU"


@pytest.mark.integration
@pytest.mark.parametrize("mode", ["lexical", "dense", "hybrid"])
def test_milvus_ranks_as_local(built, mode):
    for q in QUERIES:
        local = built["local"].search(q, k=10, mode=mode)
        milvus = built["milvus"].search(q, k=10, mode=mode)
        assert [h.passage.id for h in milvus] == [h.passage.id for h in local], (q, mode)
        assert [h.score for h in milvus] == pytest.approx([h.score for h in local], rel=1e-4, abs=1e-5)
    f = Filters(province="Bắc Kạn")
    assert [h.passage.id for h in built["milvus"].search("công nghiệp", filters=f, mode=mode)] == [
        h.passage.id for h in built["local"].search("công nghiệp", filters=f, mode=mode)
    ]


@pytest.mark.integration
def test_milvus_answers_as_local(built):
    q = "Mục tiêu tăng trưởng công nghiệp giai đoạn 2011-2015 là bao nhiêu?"
    local, milvus = built["local"].ask(q), built["milvus"].ask(q)
    assert milvus.text == local.text and not milvus.abstained
    for c in milvus.citations:
        doc = built["milvus"].document(c.doc_id)
        assert doc.text[c.start : c.end] == c.quote


@pytest.mark.parametrize("kind", BACKENDS)
def test_incremental_update_and_removal(tmp_path, kind):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    settings = Settings(index_dir=tmp_path / "index", embedder="hash", store=kind)
    first = _ingest(settings, [corpus])
    assert len(first.added) == 2
    assert _ingest(settings, [corpus]).note == "index is up to date"
    target = next(p for p in sorted(corpus.glob("*.txt")) if "Lao Bảo" in p.read_text(encoding="utf-8"))
    target.write_text(target.read_text(encoding="utf-8").replace("Lao Bảo", "Lao Bảo Zyxwv"), encoding="utf-8")
    second = _ingest(settings, [corpus])
    assert second.updated and not second.added
    a = Assistant.open(settings.index_dir, settings)
    try:
        assert a.store.count() == second.passages
        hits = a.search("Zyxwv", k=3, mode="lexical")
        assert hits and "Zyxwv" in hits[0].passage.text
    finally:
        a.close()
    target.unlink()
    third = _ingest(settings, [corpus])
    assert third.removed and third.documents == 1
    a = Assistant.open(settings.index_dir, settings)
    try:
        assert a.search("Zyxwv", k=3, mode="lexical") == [] and len(a.store.metas) == 1
        assert {r.doc_id for r in a.store.target_rows()} == set(a.store.metas)  # the removed file's figures went too
    finally:
        a.close()


@pytest.mark.integration
def test_milvus_resumes_after_a_crash(tmp_path, monkeypatch):
    """A run killed after its first batch leaves that source written and marked; the next
    run writes only the rest and ends with the same index as an uninterrupted one."""
    pytest.importorskip("pymilvus")
    from assistant.stores.milvus_writer import MilvusWriter

    settings = Settings(index_dir=tmp_path / "index", embedder="hash", store="milvus", ingest_chunk=1)
    real_write = MilvusWriter.write
    calls = []

    def dying_write(self, batch):
        calls.append([b.key for b in batch])
        if len(calls) == 2:
            real_write(self, batch[:0])
            self.info["pending"] = [b.key for b in batch]  # as if killed mid-batch
            self._save_info()
            raise KeyboardInterrupt
        return real_write(self, batch)

    monkeypatch.setattr(MilvusWriter, "write", dying_write)
    with pytest.raises(KeyboardInterrupt):
        _ingest(settings, [CORPUS])
    monkeypatch.setattr(MilvusWriter, "write", real_write)
    resumed = _ingest(settings, [CORPUS])
    assert len(resumed.unchanged) == 1 and len(resumed.added) == 1
    fresh_settings = Settings(index_dir=tmp_path / "fresh", embedder="hash", store="milvus")
    fresh = _ingest(fresh_settings, [CORPUS])
    assert resumed.passages == fresh.passages and resumed.documents == fresh.documents == 2
    a, b = Assistant.open(settings.index_dir, settings), Assistant.open(fresh_settings.index_dir, fresh_settings)
    try:
        for q in QUERIES:
            assert [h.passage.id for h in a.search(q)] == [h.passage.id for h in b.search(q)]
    finally:
        a.close()
        b.close()


def test_missing_milvus_index_is_one_line_error(tmp_path):
    pytest.importorskip("pymilvus")
    from assistant.errors import AssistantError

    settings = Settings(index_dir=tmp_path / "none", embedder="hash", store="milvus")
    with pytest.raises(AssistantError, match="assistant ingest --store milvus"):
        Assistant.open(settings.index_dir, settings)


def test_ray_requires_milvus_store():
    from assistant.cli import main

    assert main(["ingest", "--ray", "auto", "--embedder", "hash", "--index", "/nonexistent/x"]) == 1


@pytest.mark.slow
@pytest.mark.integration
def test_ray_ingest_equals_in_process(built, tmp_path):
    """Ray Data (a local Ray, 2 CPUs, 2 workers) builds the same Milvus index as the in-process run."""
    pytest.importorskip("ray")
    import ray

    from assistant.distributed.milvus_ingest import ingest_milvus
    from assistant.distributed.ray_ingest import ray_executor

    settings = Settings(index_dir=tmp_path / "index", embedder="hash", store="milvus")
    try:
        report = ingest_milvus([CORPUS], settings, progress=False, say=lambda m: None,
                               executor=ray_executor("local", workers=2, num_cpus=2))
    finally:
        ray.shutdown()
    assert not report.errors and report.passages == built["milvus"].store.count()
    a = Assistant.open(settings.index_dir, settings)
    try:
        for q in QUERIES:
            assert [h.passage.id for h in a.search(q)] == [h.passage.id for h in built["milvus"].search(q)]
    finally:
        a.close()


# --- the narrow look-ups answering uses instead of reading every passage ----------------------
PLACES = ["Lao Bảo", "Đông Hà", "Ba Bể", "Chợ Mới", "Hà Nội", "Zyxwv"]
NUMBERS = ["13-NQ/TU", "07-NQ/TU", "11-KL/TU", "99-NQ/TW"]
ANSWER_QUESTIONS = [
    "Mục tiêu tăng trưởng công nghiệp giai đoạn 2011-2015 là bao nhiêu?",
    "Nghị quyết 13-NQ/TU được ban hành ngày nào?",
    "Kết luận 11-KL/TU do ai ký?",
    "muc tieu tang truong cong nghiep cua Bac Kan la bao nhieu",
    "Những hạn chế, yếu kém trong thực hiện Nghị quyết 13-NQ/TU ở Quảng Trị là gì?",
    "Tỷ lệ hộ nghèo của huyện Ba Bể năm 2020 là bao nhiêu?",
    "Các giải pháp chủ yếu phát triển công nghiệp của Bắc Kạn gồm những gì?",
]


def test_local_doc_freqs_are_the_bm25_matrix(built):
    """The local store's document frequencies are the non-zeros of bm25s's term columns
    (what answering computed from the whole matrix before): the same numbers."""
    store = built["local"].store
    for index, folded in ((store.inner.lexical, False), (store.inner.folded, True)):
        scores = index.model.scores
        ends = list(scores["indptr"][1:]) + [len(scores["data"])]
        whole = {t: int(ends[i] - scores["indptr"][i]) for t, i in index.vocab.items() if i < len(scores["indptr"])}
        assert store.doc_freqs(list(index.vocab), folded=folded) == whole and whole
        assert store.doc_freqs(["zyxwv-never"], folded=folded) == {}


@pytest.mark.integration
def test_targets_table_agrees(built):
    local, milvus = built["local"].store.target_rows(), built["milvus"].store.target_rows()
    assert len(local) > 10 and [r.to_dict() for r in milvus] == [r.to_dict() for r in local]


@pytest.mark.integration
def test_narrow_lookups_agree(built):
    import numpy as np

    from assistant.answering.tokens import keys
    from assistant.text import Analyzer

    local, milvus = built["local"].store, built["milvus"].store
    assert milvus.count() == local.count()
    text = " ".join(p.text for p in list(local.passages)[:30]) + " zyxwv"
    analysis = Analyzer().analyze(text)
    for folded, terms in ((False, analysis.tokens + keys(text)), (True, analysis.folded + keys(text, True))):
        got = milvus.doc_freqs(sorted(set(terms)), folded=folded)
        assert got == local.doc_freqs(sorted(set(terms)), folded=folded)
        assert len(got) > 50 and "zyxwv" not in got and all(v >= 1 for v in got.values())
    pids = [p.id for p in list(local.passages)[::5]] + ["no-such-passage"]
    lv, mv = local.vectors(pids), milvus.vectors(pids)
    assert set(lv) == set(mv) == set(pids) - {"no-such-passage"}
    for pid, v in lv.items():
        np.testing.assert_allclose(mv[pid], v, rtol=1e-5, atol=1e-6)
    vector = lv[pids[0]]
    for store in (local, milvus):
        rows = [r for r, _ in store.dense_search(vector, 20, None)]
        assert store.doc_ids_at(rows) == [p.doc_id for p in store.passages_at(rows)]
    for name in PLACES + NUMBERS:  # Milvus's candidates hold every passage that has the words
        want = {p.id for p in local.passages if name.lower() in p.text.lower()}
        assert want <= {p.id for p in milvus.passages_mentioning(name)}, name


@pytest.mark.integration
def test_milvus_answers_without_reading_every_passage(built, monkeypatch):
    """Answering on Milvus (a fresh answerer: its construction included) never enumerates
    the passages, and answers, cites and scopes exactly as on the local index."""
    from assistant.answering import Answerer
    from assistant.stores import milvus as milvus_store

    def forbidden(*args, **kwargs):
        raise AssertionError("answering read every passage")

    local = Answerer(built["local"])
    monkeypatch.setattr(milvus_store._Passages, "__iter__", forbidden)
    monkeypatch.setattr(milvus_store._Passages, "__getitem__", forbidden)
    monkeypatch.setattr(milvus_store.MilvusStore, "rows", forbidden)
    remote = Answerer(built["milvus"])
    for name in PLACES:
        assert remote._place_docs(name) == local._place_docs(name), name
    for number in NUMBERS:
        assert remote.catalog.mentions(number) == local.catalog.mentions(number), number
    assert local.catalog.mentions("13-NQ/TU") and not local.catalog.mentions("99-NQ/TW")
    assert local._place_docs("Lao Bảo") and not local._place_docs("Zyxwv")
    assert remote.planner._mentioned_short("13", "Nghị quyết") == local.planner._mentioned_short("13", "Nghị quyết")
    answered = 0
    for q in ANSWER_QUESTIONS:
        a, b = local.ask_scored(q), remote.ask_scored(q)
        assert b[0].text == a[0].text and b[0].abstained == a[0].abstained, q
        assert b[1] == pytest.approx(a[1], rel=1e-6, abs=1e-9), q
        assert [(c.passage_id, c.start, c.end) for c in b[0].citations] == [(c.passage_id, c.start, c.end) for c in a[0].citations]
        assert b[0].scope == a[0].scope
        answered += not a[0].abstained
    assert answered >= 4
