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
