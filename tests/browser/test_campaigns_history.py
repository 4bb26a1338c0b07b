import io
import subprocess

import pytest
from pypdf import PdfReader

from devtools.demo import history as demo
from tests.browser.conftest import ARTIFACTS, log_in, screenshot, set_language
from tests.factories import make_user
from tests.services import need_tool

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_history_page_and_report_show_the_demo_history(page, tmp_path):
    demo.load(io.StringIO())
    log_in(page, make_user(), language="ar")
    page.goto(page.base_url + "/campaigns/history/")
    main = page.inner_text("main")
    for text in ("مدرسة الشهيد مصطفى كرمان", "بستان القصر", "غازي عنتاب"):
        assert text in main, text
    # The chart reads right to left: 2011 is the rightmost year.
    years = page.locator(".year-chart text.year")
    positions = {years.nth(i).text_content(): years.nth(i).bounding_box()["x"] for i in range(years.count())}
    assert max(positions, key=positions.get) == "2011"
    screenshot(page, "campaigns-history-ar")

    page.click(".year-chart a[href$='year=2012'] rect")
    assert "year=2012" in page.url
    assert "2011" not in page.inner_text(".history")
    set_language(page, "en")
    assert "The school of martyr Mustafa Karman" in page.inner_text("main")
    screenshot(page, "campaigns-history-2012-en")

    page.goto(page.base_url + "/campaigns/history/")
    set_language(page, "ar")
    with page.expect_download() as download:
        page.click("a[href*='report.pdf']")
    pdf = tmp_path / "history.pdf"
    download.value.save_as(pdf)
    text = "\n".join(p.extract_text() for p in PdfReader(str(pdf)).pages)
    assert "كرمان" in text and "بستان" in text

    pdftoppm = need_tool("pdftoppm", "poppler-utils")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [pdftoppm, "-r", "70", "-png", "-f", "1", "-l", "2", str(pdf), str(ARTIFACTS / "campaigns-report-ar")],
        check=True,
    )
    assert (ARTIFACTS / "campaigns-report-ar-1.png").stat().st_size > 10_000


def test_the_current_demo_campaigns_dashboard_shows_its_goals_panels_and_timeline(page):
    from campaigns.models import Campaign

    demo.load(io.StringIO())
    campaign = Campaign.objects.get(slug=demo.DEMO_SLUG)
    log_in(page, make_user(), language="ar")
    page.goto(f"{page.base_url}/campaigns/{campaign.pk}/")
    assert "57 / 200" in page.inner_text(".goal-participants")
    assert page.locator(".timeline .action").count() == 4
    screenshot(page, "campaigns-demo-dashboard-ar")
