import pytest

from accounts.roles import ADMIN, ORGANIZER, VOLUNTEER
from tests.browser.conftest import log_in, screenshot, set_language
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WELCOME = {"ar": "أهلاً بك", "en": "Welcome"}


@pytest.mark.parametrize("role", [ADMIN, ORGANIZER, VOLUNTEER])
def test_each_role_logs_in_and_sees_its_home_page_in_arabic_and_english(page, role):
    user = make_user(role)
    log_in(page, user, language="ar")
    page.goto(page.base_url + "/")  # volunteers land on the print page; home is one click away
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert WELCOME["ar"] in page.inner_text("main")
    # Right-to-left for real: the brand sits at the right edge of the top bar.
    brand = page.locator(".brand").bounding_box()
    assert brand["x"] > page.viewport_size["width"] / 2
    screenshot(page, f"home-{role.lower()}-ar")

    set_language(page, "en")
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert WELCOME["en"] in page.inner_text("main")
    assert page.locator(".brand").bounding_box()["x"] < page.viewport_size["width"] / 2
    screenshot(page, f"home-{role.lower()}-en")

    nav = page.inner_text("header")
    if role == VOLUNTEER:
        assert "Supporters" not in nav and "Users" not in nav
    if role == ADMIN:
        assert "Users" in nav


def test_a_wrong_password_shows_an_error_on_the_login_page(page):
    user = make_user(VOLUNTEER)
    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", "wrong password")
    page.click("button[type=submit].primary")
    assert page.locator(".errors").is_visible()
    screenshot(page, "login-error-ar")


def test_a_volunteer_sees_a_clear_403_page_on_an_admin_page(page):
    log_in(page, make_user(VOLUNTEER))
    response = page.goto(page.base_url + "/accounts/users/")
    assert response.status == 403
    assert page.locator("h1").inner_text() == "غير مسموح"
