"""Every staff page fits a 390 px phone, in Arabic and in English (issue 13, phone-first pages).

The URLs come from the resolver, as in tests/security/test_url_policy.py, filled with the
objects of tests/security/world.py; each page an admin gets as HTML is opened at 390 px
and fails when the document is wider than the window (sideways scrolling, to the left
in Arabic). Screenshots of the key pages go to test-artifacts/screenshots/phone-*.
"""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.browser.conftest import screenshot
from tests.security.policy import expected
from tests.security.test_url_policy import ROUTES
from tests.security.world import plant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
# The pages people open most in the field: their screenshots are kept for reading.
KEY_PAGES = {
    "home",
    "campaigns:list",
    "campaigns:detail",
    "campaigns:history",
    "contacts:list",
    "contacts:detail",
    "messaging:list",
    "messaging:detail",
    "flyers:list",
    "flyers:detail",
    "flyers:volunteer",
    "accounts:audit",
    "accounts:outbox",
    "accounts:users",
    "public:campaign",
}
# Measured in the page as a function (Playwright calls it over CDP; the CSP allows no eval).
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


def admin_pages(world):
    """(name, url) of every page an admin may GET with a 200, from the resolver."""
    for route in ROUTES:
        if route.name and expected(route.name, "admin") == 200:
            yield route.name, reverse(route.name, kwargs=world.kwargs(route.name, route.params))


def overflowing_pages(browser, live_server, language, tmp_path):
    """{url: pixels too wide} for every admin page at 390 px in `language`."""
    world = plant()
    settings.VAR_DIR = tmp_path
    world.write_files()
    context = browser.new_context(viewport=PHONE, locale=language)
    context.add_cookies(
        [
            {"name": settings.SESSION_COOKIE_NAME, "value": world.sessions["admin"], "url": live_server.url},
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url},
        ]
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    wide = {}
    try:
        for name, url in admin_pages(world):
            head = context.request.get(live_server.url + url, max_redirects=0)
            if "text/html" not in head.headers.get("content-type", ""):
                continue  # PDFs, CSV, mail files, images: not pages
            page.goto(live_server.url + url)
            page.wait_for_load_state()
            extra = page.evaluate(OVERFLOW)
            if extra > 0:
                wide[url] = extra
            if name in KEY_PAGES:
                screenshot(page, f"phone-{name.replace(':', '-')}-390-{language}")
    finally:
        context.close()
    return wide


@pytest.fixture
def restore_var_dir():
    before = settings.VAR_DIR
    yield
    settings.VAR_DIR = before


def test_no_page_scrolls_sideways_on_a_phone_in_arabic(browser, live_server, tmp_path, restore_var_dir):
    wide = overflowing_pages(browser, live_server, "ar", tmp_path)
    assert wide == {}, "\n".join(f"{url}: {px} px too wide" for url, px in wide.items())


def test_no_page_scrolls_sideways_on_a_phone_in_english(browser, live_server, tmp_path, restore_var_dir):
    wide = overflowing_pages(browser, live_server, "en", tmp_path)
    assert wide == {}, "\n".join(f"{url}: {px} px too wide" for url, px in wide.items())
