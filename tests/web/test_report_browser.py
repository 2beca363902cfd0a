"""Browser test of the annual report page: the ministry builds the report with progress shown,
opens the PDF, and the first pages of the PDF are kept as screenshots beside the page's own
(``test-output/screenshots/report_*.png``); the HTML report is read on a phone-sized screen."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import Engine

from report.conftest import DEMO, load_report_data
from shumao.config import Settings
from web.test_browser import SHOTS, browser, live_server, open_page, pytestmark, shot

__all__ = ["browser", "live_server", "open_page", "pytestmark"]


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings(
        environment="test",
        data_dir=tmp_path / "data",
        database_url=db_url,
        report_dir=DEMO / "report",
    )


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils (scripts/setup)")
def test_the_ministry_builds_the_report_in_the_browser(
    engine: Engine,
    open_page,
    app,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    load_report_data(engine)
    page = open_page("ministry")
    page.goto("/report")
    for fmt in ("docx", "xlsx"):
        page.uncheck(f"input[name=formats][value={fmt}]")
    page.click("#report-build")
    page.wait_for_selector("tr.report-job progress")
    shot(page, "report_building")
    page.wait_for_selector("tr.report-job a[data-format=pdf]", timeout=300_000)
    assert app.state.report_jobs.wait(60)
    assert "3727.1" not in page.inner_text("#report-jobs")  # the page lists files, not figures
    shot(page, "report_done")
    href = page.get_attribute("tr.report-job a[data-format=pdf]", "href")
    pdf = page.request.get(href)
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    path = tmp_path / "report_2022_zh.pdf"
    path.write_bytes(pdf.body())
    SHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "5",
            "-png",
            str(path),
            str(SHOTS / "report_pdf_page"),
        ],
        check=True,
        timeout=120,
    )
    pages = sorted(SHOTS.glob("report_pdf_page-*.png"))
    assert len(pages) == 5 and all(p.stat().st_size > 5_000 for p in pages)

    phone = page.context.new_page()  # the same log-in, a phone-sized screen
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.goto(page.get_attribute("tr.report-job a[data-format=html]", "href"))
    assert phone.inner_text("h1.title") == "中国数字贸易发展报告2022"
    overflow = phone.evaluate("document.scrollingElement.scrollWidth")
    assert overflow <= 390, "the report is wider than a phone"
    phone.screenshot(path=str(SHOTS / "report_html_phone.png"))
