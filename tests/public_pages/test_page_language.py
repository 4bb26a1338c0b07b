"""The public page's language when the visitor has not chosen one (issue 13, finding 3)."""

import pytest
from django.test import Client

from campaigns.models import Campaign

pytestmark = pytest.mark.django_db


def english_only_campaign():
    return Campaign.objects.create(slug="en-only", is_public=True, title_en="Clean streets", kind="cleanup")


def test_a_campaign_written_only_in_english_opens_in_english_for_a_new_visitor():
    english_only_campaign()
    html = Client(HTTP_ACCEPT_LANGUAGE="ar").get("/c/en-only/").content.decode()
    assert '<html lang="en" dir="ltr">' in html


def test_a_visitor_who_chose_arabic_keeps_arabic():
    english_only_campaign()
    client = Client()
    client.cookies["django_language"] = "ar"
    assert '<html lang="ar" dir="rtl">' in client.get("/c/en-only/").content.decode()


def test_a_campaign_in_both_languages_opens_in_the_default_language():
    Campaign.objects.create(slug="both", is_public=True, title_ar="شوارع نظيفة", title_en="Clean", kind="cleanup")
    assert '<html lang="ar" dir="rtl">' in Client(HTTP_ACCEPT_LANGUAGE="en").get("/c/both/").content.decode()


def test_the_english_page_signs_up_for_english_newsletters_by_default():
    english_only_campaign()
    html = Client().get("/c/en-only/").content.decode()
    assert '<option value="en" selected>' in html
