"""Playwright on Debian's Chromium against pytest-django's live server.

Screenshots go to test-artifacts/screenshots/ for people to look at.
"""

import os
from pathlib import Path

import pytest

from tests.factories import PASSWORD, totp_code
from tests.services import CHROMIUM_ARGS, ROOT, need_chromium

# The live server runs in a thread; Playwright's sync API runs an event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def browser():
    executable = need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1100, "height": 800}, locale="ar")
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    yield page
    context.close()


def screenshot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return Path(path)


def set_language(page, code):
    """Switch the interface language with the page's own switcher."""
    if page.locator(f"button[name=language][value={code}]").count():
        page.click(f"button[name=language][value={code}]")
        page.wait_for_load_state()


def log_in(page, user, language="ar"):
    """Log in through the real form, passing the TOTP step where the role has one."""
    page.goto(page.base_url + "/accounts/login/")
    set_language(page, language)
    page.fill("input[name=username]", user.get_username())
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
    if "/accounts/two-factor/" in page.url:
        page.fill("input[name=token]", totp_code(user))
        page.click("button[type=submit].primary")
        page.wait_for_load_state()
    return page
