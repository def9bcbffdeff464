"""The chat UI in a real, headless Chromium (Debian's /usr/bin/chromium, never a
downloaded browser). Screenshots go to tests/artifacts/ (git-ignored)."""

from __future__ import annotations

import csv
import os
import re
import shutil
from pathlib import Path

import pytest

from tests.browser.support import ARTIFACTS, UPLOAD_DOC, start_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = os.environ.get("ASSISTANT_TEST_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
QUESTION = "Mục tiêu tăng trưởng công nghiệp giai đoạn 2011-2015 là bao nhiêu?"
TIMEOUT = 60_000


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):
    running = start_app(tmp_path_factory.mktemp("ui_browser"))
    yield running
    running.close()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        pytest.skip(f"{CHROMIUM} not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(app, browser):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, accept_downloads=True, locale="vi-VN")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app.url.rstrip("/"))
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT)
    pg.remote_requests = []  # anything not served by the app itself
    pg.page_errors = []
    pg.on("request", lambda r: None if r.url.startswith((app.url, "data:", "blob:")) else pg.remote_requests.append(r.url))
    pg.on("pageerror", lambda e: pg.page_errors.append(str(e)))
    pg.goto(app.url)
    pg.locator("#question textarea").wait_for()
    yield pg
    context.close()


def shot(pg, name: str) -> None:
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def ask(pg, question: str) -> None:
    pg.locator("#question textarea").fill(question)
    pg.locator("#send").click()
    pg.locator("#sources .src-card").first.wait_for()


def open_tab(pg, name: str) -> None:
    pg.get_by_role("tab", name=name, exact=True).click()


def test_ask_see_answer_and_source_then_open_it(page):
    ask(page, QUESTION)
    bubble = page.locator("#chatbot .message-row").last
    assert "25%" in bubble.inner_text()
    card = page.locator("#sources .src-card").first
    cite = card.locator(".src-cite").inner_text()
    assert "mục I.3" in cite and "Nghị quyết" in cite
    assert "25%" in card.locator("mark.quote").first.inner_text()
    assert "Nguồn:" in bubble.inner_text()
    shot(page, "01-hoi-dap")

    card.locator(".copy-btn").click()
    page.wait_for_function("() => window.__lastCopied !== undefined")
    assert page.evaluate("window.__lastCopied") == cite
    assert page.evaluate("navigator.clipboard.readText()") == cite
    page.locator("#sources .copy-answer").click()
    page.wait_for_function("() => window.__lastCopied.includes('Nguồn:')")
    copied = page.evaluate("window.__lastCopied")
    assert "25%" in copied and cite in copied and "<" not in copied

    card.locator(".open-btn").click()
    focus = page.locator("#doc-viewer .vb-para.focus")
    focus.wait_for(state="visible")
    assert "25%" in focus.locator("mark.quote").inner_text()
    page.wait_for_function(
        """() => { const f = document.querySelector('#doc-viewer .vb-para.focus');
                  const r = f.getBoundingClientRect();
                  const s = f.closest('.vb-scroll').getBoundingClientRect();
                  return r.top >= Math.max(0, s.top) - 1 && r.bottom <= Math.min(window.innerHeight, s.bottom) + 1; }"""
    )
    page.screenshot(path=str(ARTIFACTS / "02-van-ban-doan-duoc-trich.png"))
    assert not page.remote_requests, page.remote_requests
    assert not page.page_errors, page.page_errors


def test_follow_up_and_new_chat(page):
    ask(page, QUESTION)
    page.locator("#question textarea").fill("Còn huy động ngân sách nhà nước trong lĩnh vực công nghiệp thì sao?")
    page.locator("#send").click()
    page.wait_for_function("() => document.querySelectorAll('#chatbot .message-row').length >= 4")
    page.wait_for_function(
        "() => !document.querySelector('#chatbot .thinking')"
    )
    assert "15%" in page.locator("#chatbot .message-row").last.inner_text()
    shot(page, "03-hoi-tiep")
    page.locator("#new-chat").click()
    page.wait_for_function("() => document.querySelectorAll('#chatbot .message-row').length == 0")
    assert "Nguồn của câu trả lời sẽ hiện ở đây" in page.locator("#sources").inner_text()


def test_search_with_filter_and_csv(page):
    open_tab(page, "Tìm kiếm")
    page.locator("#search-query textarea").fill("phát triển công nghiệp")
    page.locator("#filter-province input").click()
    page.get_by_role("option", name="Quảng Trị").click()
    page.locator("#search-button").click()
    page.locator("#search-results .src-card").first.wait_for()
    cites = page.locator("#search-results .src-cite").all_inner_texts()
    assert cites and all("Quảng Trị" in c for c in cites)
    assert page.locator("#search-results mark.hl").count() > 0
    shot(page, "04-tim-kiem-loc")
    with page.expect_download() as dl:
        page.locator("#csv-download").click()
    path = dl.value.path()
    with open(path, encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][0] == "Hạng" and len(rows) == len(cites) + 1
    assert all("Quảng Trị" in r[3] for r in rows[1:])


def test_upload_then_find(page, app, tmp_path: Path):
    good = tmp_path / "ke-hoach-77-du-lich-ha-giang.txt"
    good.write_text(UPLOAD_DOC, encoding="utf-8")
    empty = tmp_path / "van-ban-rong.txt"
    empty.write_text("", encoding="utf-8")
    open_tab(page, "Nạp văn bản")
    page.locator("#upload-files input[type=file]").set_input_files([str(good), str(empty)])
    page.locator("#upload-files").get_by_text("van-ban-rong").first.wait_for()  # name and suffix are separate elements
    page.locator("#upload-button").click()
    page.wait_for_function("() => document.querySelector('#upload-status').innerText.includes('Đã nạp')")
    results = page.locator("#upload-results").inner_text()
    assert "Thành công" in results and "Lỗi" in results and "rỗng" in results
    shot(page, "05-nap-van-ban")

    open_tab(page, "Tìm kiếm")
    page.locator("#search-query textarea").fill("du lịch cộng đồng cao nguyên đá Đồng Văn")
    page.locator("#search-button").click()
    page.locator("#search-results .src-card").first.wait_for()
    first = page.locator("#search-results .src-card").first.inner_text()
    assert "Đồng Văn" in first
    shot(page, "06-tim-van-ban-moi")


def test_document_with_markup_renders_as_text(page):
    open_tab(page, "Văn bản")
    page.locator("#doc-table").get_by_text("chi-thi-99-CT-TU-thu-nghiem-an-toan").click()
    viewer = page.locator("#doc-viewer .vb-doc")
    viewer.wait_for()
    text = viewer.inner_text()
    assert "<script>window.__xss = 1</script>" in text
    assert '<img src=x onerror="window.__xss = 2">' in text
    assert viewer.locator("script, img, iframe, a[href^='http']").count() == 0
    assert page.evaluate("window.__xss") is None
    # the table of contents jumps to a section inside the viewer
    page.locator("#doc-viewer .vb-toc a").first.click()
    shot(page, "07-van-ban-co-ma-html")

    ask_page_xss = "kiểm thử hiển thị đoạn chứa script"
    open_tab(page, "Hỏi đáp")
    page.locator("#question textarea").fill(ask_page_xss)
    page.locator("#send").click()
    page.wait_for_function("() => !document.querySelector('#chatbot .thinking') && document.querySelectorAll('#chatbot .message-row').length >= 2")
    page.wait_for_timeout(500)
    assert page.evaluate("window.__xss") is None
    assert page.locator("#chatbot img[src='x'], #sources img, #chatbot script, #sources script").count() == 0
    assert not page.page_errors, page.page_errors
    shot(page, "08-hoi-dap-van-ban-co-ma-html")


def test_document_list_shows_metadata(page):
    open_tab(page, "Văn bản")
    table = page.locator("#doc-table").inner_text()
    for expected in ("11-KL/TU", "12/01/2012", "Tỉnh ủy Quảng Trị", "Lê Hữu Phúc", "Nghị quyết", "Bắc Kạn"):
        assert expected in table
    assert re.search(r"\b33\b", table)  # passages of the Kết luận
