"""The "Chỉ tiêu" tab: its data functions over a real index, and the tab in Chromium."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.browser.support import ARTIFACTS, start_app

CHROMIUM = os.environ.get("ASSISTANT_TEST_CHROMIUM", "/usr/bin/chromium")
BAC_KAN = "nghi-quyet-hnln5-khoa-x-bac-kan-cong-nghiep-2011-2015"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):
    running = start_app(tmp_path_factory.mktemp("ui_targets"))
    yield running
    running.close()


def test_refresh_filters_table_chart_and_csv(app):
    from ui import targets

    table, status, choice, chart, csv_path, doc_choice = targets.refresh(app.backend)
    assert table and any(r[1] == "trên 25%/năm" and r[2] == "Mục tiêu" and r[4] == BAC_KAN for r in table)
    assert "số liệu" in status
    # every cell is text; positions open the sentence the row quotes
    doc = app.backend.document(BAC_KAN)
    for r in table:
        assert all(isinstance(c, str) for c in r)
        doc_id, start, end = r[-1].rsplit("|", 2)
        if doc_id == BAC_KAN:
            assert doc.text[int(start) : int(end)]
    text = Path(csv_path).read_text(encoding="utf-8")
    assert text.startswith("\ufeffdoc_id,indicator,value") and "25" in text
    # filters: kind and indicator words (accent-insensitive)
    only_targets = targets.refresh(app.backend, "", "Mục tiêu", "", "")[0]
    assert only_targets and all(r[2] == "Mục tiêu" for r in only_targets)
    growth = targets.refresh(app.backend, "gia tri san xuat", targets.ALL, "", "")[0]
    assert growth and all("giá trị sản xuất" in r[0] for r in growth)
    by_period = targets.refresh(app.backend, "", targets.ALL, "2011-2015", "")[0]
    assert by_period and all("2011-2015" in r[3] for r in by_period)
    # the chart: an indicator with both a target and a result, values per kind
    rows = targets.filtered(app.backend)
    groups = targets.indicator_groups(rows)
    assert groups
    frame = targets.chart_frame(app.backend, rows, groups[0])
    assert set(frame["Loại"]) >= {"Mục tiêu", "Kết quả đạt được"}


@pytest.mark.browser
@pytest.mark.slow
def test_tab_in_chromium_opens_the_source(app):
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        pytest.skip(f"{CHROMIUM} not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.set_default_timeout(60_000)
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(app.url)
            page.get_by_role("tab", name="Chỉ tiêu", exact=True).click()
            page.locator("#tg-indicator textarea, #tg-indicator input").first.fill("giá trị sản xuất công nghiệp")
            page.locator("#tg-indicator textarea, #tg-indicator input").first.press("Enter")
            cell = page.locator("#tg-table").get_by_text("trên 25%/năm", exact=True).first
            cell.wait_for()
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "targets-tab.png"), full_page=True)
            cell.click()
            mark = page.locator("#doc-viewer .vb-para.focus mark").first
            mark.wait_for()
            assert "25%/năm" in mark.inner_text()
            assert page.locator("#doc-viewer script").count() == 0
            assert not errors, errors
        finally:
            browser.close()
