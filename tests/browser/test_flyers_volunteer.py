"""Done-when of issue 5: a volunteer downloads a 4-up grayscale Arabic flyer and logs a print
run; the QR code decoded from that PDF opens the campaign page, and a signup made through it
shows on the print run's counts."""

import re
import subprocess

import pytest
from playwright.sync_api import expect

from accounts.roles import ORGANIZER, VOLUNTEER
from flyers.models import PrintRun
from tests.browser.conftest import log_in, screenshot, set_language
from tests.factories import make_user
from tests.flyers.factories import make_campaign, make_flyer, make_run
from tests.services import need_tool, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def decode_qr(pdf_path, tmp_path):
    need_tool("pdftoppm", "poppler-utils")
    need_tool("zbarimg", "zbar-tools")
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", "-gray", "-singlefile", str(pdf_path), str(tmp_path / "p")], check=True
    )
    out = subprocess.run(["zbarimg", "--quiet", "--raw", str(tmp_path / "p.png")], capture_output=True, text=True)
    return out.stdout.splitlines()


@pytest.fixture
def phone_without_js(browser, live_server):
    """A phone-sized browser with JavaScript off: the volunteer flow must not need it."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ar", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    yield page
    context.close()


def test_a_volunteer_prints_a_4up_grayscale_flyer_and_its_qr_opens_the_campaign(phone_without_js, settings, tmp_path):
    page = phone_without_js
    settings.SITE_URL = page.base_url
    settings.VAR_DIR = tmp_path / "var"
    flyer = make_flyer(make_campaign("clean-aleppo-2026"), design="bilingual")
    volunteer = make_user(VOLUNTEER)
    log_in(page, volunteer, language="ar")

    page.goto(page.base_url + "/flyers/print/")
    screenshot(page, "flyers-volunteer-list-ar")
    page.click(f"a[href='/flyers/print/{flyer.pk}/']")
    page.select_option("select[name=layout]", "a4-4up")
    page.check("input[name=ink][value=grayscale]")
    page.click("form.print-options button")
    assert "layout=a4-4up&ink=grayscale" in page.url
    thumbnail = page.request.get(page.base_url + page.get_attribute(".flyer-preview img", "src"))
    assert thumbnail.ok and thumbnail.body().startswith(b"\x89PNG")
    screenshot(page, "flyers-print-ar")

    page.fill("input[name=quantity]", "400")
    page.click("#print-run-form button.primary")
    page.wait_for_load_state()
    run = PrintRun.objects.get()
    assert (run.quantity, run.volunteer_id) == (400, volunteer.pk)
    # Where the copies went comes after printing, one drop per place.
    page.fill("input[name=drop-place]", "الشعار")
    page.fill("input[name=drop-copies]", "150")
    page.click("form[action*='/drops/'] button.primary")
    page.wait_for_load_state()
    assert [(d.place, d.copies) for d in run.drops.all()] == [("الشعار", 150)]
    screenshot(page, "flyers-run-ar")

    with page.expect_download() as info:
        page.click("#run-download")
    pdf_path = tmp_path / "flyer.pdf"
    info.value.save_as(pdf_path)
    assert pdf_path.read_bytes().startswith(b"%PDF")
    expected = f"{page.base_url}/r/{run.code}"  # the short address, which leads to /c/clean-aleppo-2026/?r=
    assert decode_qr(pdf_path, tmp_path) == [expected] * 4

    # A passer-by scans the code (a fresh browser, not the volunteer's session) and signs up.
    from django.core import mail

    visitor = page.context.browser.new_context(locale="ar", java_script_enabled=False)
    public = visitor.new_page()
    public.goto(expected)
    assert public.locator("h1").count()
    run.refresh_from_db()
    assert run.visits == 1
    public.fill(".signup-form input[name=email]", "passer-by@example.org")
    public.click(".signup-form button[type=submit]")
    public.wait_for_load_state()
    sent = wait_for(lambda: [m for m in mail.outbox if "passer-by@example.org" in m.to], timeout=10)
    link = re.search(r"https?://\S+/signup/confirm/[^/\s]+/", sent[-1].body).group(0)
    public.goto(link)
    screenshot(public, "contacts-signup-confirm-ar")
    public.click('form[action*="/signup/confirm/"] button')  # the link itself confirms nothing
    public.wait_for_load_state()
    visitor.close()

    page.reload()
    tiles = page.locator(".flyer-stats .tile strong")
    assert [tiles.nth(i).inner_text() for i in range(4)] == ["400", "150", "1", "1"]
    screenshot(page, "flyers-run-after-signup-ar")


def test_the_volunteer_and_organizer_pages_in_both_languages(page, settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    flyer = make_flyer(make_campaign("clean-aleppo-2026"), design="bilingual")
    organizer = make_user(ORGANIZER)
    make_run(flyer, volunteer=organizer, quantity=300, neighbourhood="Salaheddine")
    log_in(page, organizer, language="en")
    page.goto(page.base_url + f"/flyers/{flyer.pk}/")
    screenshot(page, "flyers-detail-en")
    page.goto(page.base_url + f"/flyers/{flyer.pk}/edit/")
    page.fill("input[name=headline_en]", "Live preview works")
    # expect(), not wait_for_function: a string predicate is eval'd, which the CSP refuses.
    expect(page.locator(".flyer-preview img")).to_have_attribute("src", re.compile(r"^blob:"))
    page.click("button[name=preview]")
    page.wait_for_load_state()
    screenshot(page, "flyers-edit-preview-en")
    set_language(page, "ar")
    page.goto(page.base_url + "/flyers/")
    screenshot(page, "flyers-list-ar")
    page.goto(page.base_url + f"/campaigns/{flyer.campaign_id}/")
    assert page.locator(".flyers-panel").count() == 1
    screenshot(page, "flyers-campaign-panel-ar")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.base_url + f"/flyers/print/{flyer.pk}/?layout=a4-2up&ink=colour")
    screenshot(page, "flyers-print-ar-colour")
    set_language(page, "en")
    page.goto(page.base_url + f"/flyers/print/{flyer.pk}/?layout=a6&ink=grayscale")
    screenshot(page, "flyers-print-en")
    assert page.locator(".flyer-preview img").count() == 1
