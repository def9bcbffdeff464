"""A question that names a law finds that law's article among near-identical articles of
other laws (real underthesea, real FAISS, real BM25, the real default embedder)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ALQAC = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "alqac2023_dev" / "passages.jsonl"
LAWS = ("Luật Viên chức", "Luật Tiếp cận thông tin", "Luật Trồng trọt", "Luật Chăn nuôi", "Luật Du lịch", "Luật Giáo dục")

pytestmark = [pytest.mark.integration, pytest.mark.skipif(not ALQAC.exists(), reason="ALQAC dev data not present")]


@pytest.fixture(scope="module")
def effect_articles(tmp_path_factory):
    """The "Hiệu lực thi hành" article of six laws, each titled by its law: the texts
    differ only in dates and in the acts they repeal."""
    from assistant.api import Assistant
    from assistant.ingest import ingest
    from assistant.settings import Settings

    rows = []
    for line in ALQAC.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["law"] in LAWS and row["text"].startswith("Hiệu lực thi hành"):
            rows.append(json.dumps({"id": row["id"], "title": row["law"], "text": row["text"]}, ensure_ascii=False))
    assert len(rows) == len(LAWS)
    root = tmp_path_factory.mktemp("scope")
    (root / "laws.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    settings = Settings(index_dir=root / "index", scope_weight=1.0)
    report = ingest([root / "laws.jsonl"], settings, progress=False, say=lambda m: None)
    assert not report.errors
    a = Assistant.open(settings.index_dir, settings)
    yield a
    a.close()


def test_named_law_comes_first(effect_articles):
    for law in ("Luật Viên chức", "Luật Tiếp cận thông tin", "Luật Chăn nuôi"):
        hits = effect_articles.search(f"Theo {law.lower()}, luật có hiệu lực thi hành từ ngày nào?", k=3)
        assert hits[0].passage.doc_id.startswith(law + "#"), (law, [h.passage.doc_id for h in hits])


def test_scope_rows_are_the_named_laws_passages(effect_articles):
    r = effect_articles.retriever
    rows = r.scope_rows("Luật Trồng trọt có hiệu lực từ khi nào, đúng hay sai?", None)
    assert rows is not None and {r.store.passages[i].doc_id for i in rows} == {"Luật Trồng trọt#84"}
    assert r.scope_rows("pháp luật về giáo dục nghề nghiệp", None) is None
