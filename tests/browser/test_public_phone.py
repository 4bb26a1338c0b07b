"""The public campaign page on a phone (issue 13, finding 6): the signup form is above the
fold, and after signing up the thank-you stands where the form was, with what to do next."""

import datetime

import pytest
from django.utils import timezone

from campaigns.models import Action, Campaign
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LONG_SUMMARY = " ".join(["انضموا إلينا لتنظيف الحديقة العامة وزراعة الأشجار في كل حي من أحياء المدينة."] * 8)


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(viewport=PHONE, locale="ar")
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    yield page
    context.close()


@pytest.fixture
def campaign():
    campaign = Campaign.objects.create(
        slug="green-city", is_public=True, title_ar="مدينة خضراء", summary_ar=LONG_SUMMARY, kind="cleanup", city="حلب"
    )
    soon = timezone.localdate() + datetime.timedelta(days=4)
    Action.objects.create(campaign=campaign, date=soon, description_ar="يوم الزراعة", is_public=True, city="حلب")
    return campaign


def sign_up(phone):
    phone.goto(f"{phone.base_url}/c/green-city/")
    phone.fill("input[name=email]", "huda@example.org")
    phone.fill("input[name=given_name]", "هدى")
    phone.click(".signup-form button[type=submit]")
    phone.wait_for_load_state()


def test_the_signup_button_is_above_the_fold_on_a_phone(phone, campaign):
    phone.goto(f"{phone.base_url}/c/green-city/")
    screenshot(phone, "public-campaign-390-ar")
    box = phone.locator(".signup-form button[type=submit]").bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"]


def test_after_signing_up_the_thank_you_is_on_screen_where_the_form_was(phone, campaign):
    sign_up(phone)
    screenshot(phone, "public-campaign-thanks-390-ar")
    assert phone.locator("#signup [role=status]").is_visible() and phone.locator("#signup").bounding_box()["y"] < 400


def test_the_thank_you_offers_share_links_and_the_next_action(phone, campaign):
    sign_up(phone)
    thanks = phone.locator("#signup [role=status]")
    assert thanks.locator(".share-links a").count() == 5 and thanks.locator(".next-action").count() == 1
