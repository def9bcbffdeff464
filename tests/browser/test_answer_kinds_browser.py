"""A metadata question and a list question asked in a real headless Chromium: the answer
names its scope ("Trả lời theo: …"), metadata is cited to the signature block, list items
come one per line, each with its own source card."""

from __future__ import annotations

import pytest

from tests.browser.support import ARTIFACTS, start_app
from tests.browser.test_ui_browser import ARGS, CHROMIUM, TIMEOUT  # noqa: F401  (same browser setup)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):
    running = start_app(tmp_path_factory.mktemp("ui_kinds"))
    yield running
    running.close()


@pytest.fixture(scope="module")
def browser():
    import shutil
    from pathlib import Path

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
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="vi-VN")
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT)
    pg.page_errors = []
    pg.on("pageerror", lambda e: pg.page_errors.append(str(e)))
    pg.goto(app.url)
    pg.locator("#question textarea").wait_for()
    yield pg
    context.close()


def _ask(pg, question: str, rows: int) -> str:
    pg.locator("#question textarea").fill(question)
    pg.locator("#send").click()
    pg.wait_for_function(f"() => document.querySelectorAll('#chatbot .message-row').length >= {rows}")
    pg.wait_for_function("() => !document.querySelector('#chatbot .thinking')")
    pg.locator("#sources .src-card").first.wait_for()
    return pg.locator("#chatbot .message-row").last.inner_text()


def test_metadata_then_list_question(page):
    bubble = _ask(page, "Kết luận 11-KL/TU do ai ký?", 2)
    assert "Lê Hữu Phúc" in bubble
    assert "Trả lời theo: Kết luận số 11-KL/TU ngày 12/01/2012 của Tỉnh ủy Quảng Trị" in bubble
    cites = page.locator("#sources .src-cite").all_inner_texts()
    assert cites and all("Kết luận số 11-KL/TU" in c for c in cites) and any("phần chữ ký" in c for c in cites)
    assert "Lê Hữu Phúc" in " ".join(page.locator("#sources mark.quote").all_inner_texts())
    page.screenshot(path=str(ARTIFACTS / "10-hoi-nguoi-ky.png"), full_page=True)

    bubble = _ask(page, "Các giải pháp chủ yếu phát triển công nghiệp của Bắc Kạn gồm những gì?", 4)
    items = [line for line in bubble.splitlines() if line.startswith("- ")]
    assert len(items) >= 5 and any("cải cách hành chính" in i for i in items), bubble
    assert "Trả lời theo: Nghị quyết" in bubble and "Bắc Kạn" in bubble
    cards = page.locator("#sources .src-card")
    assert cards.count() >= len(items)
    assert all("Bắc Kạn" in c for c in page.locator("#sources .src-cite").all_inner_texts())
    page.screenshot(path=str(ARTIFACTS / "11-hoi-danh-sach.png"), full_page=True)
    assert not page.page_errors, page.page_errors
