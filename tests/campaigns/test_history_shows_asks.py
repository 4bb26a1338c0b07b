"""The mobilisation history (page and report) shows a campaign's asks and their results."""

import pytest
from django.urls import reverse
from django.utils import translation

from campaigns.report import render_history_report
from tests.asks.organizer import make_ask, person
from tests.core.typeset.extractors import with_pdfminer
from tests.factories import organizer_client

from .helpers import make_action, make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign():
    campaign = make_campaign(title_en="Clean Aleppo")
    make_action(campaign)
    petition = make_ask(campaign=campaign, title_en="Stop the dump", title_ar="")
    for _ in range(3):
        person(petition)
    petition.close()
    return campaign


def test_the_history_page_lists_the_asks_results(campaign):
    client = organizer_client()
    client.cookies["django_language"] = "en"
    page = client.get(reverse("campaigns:history"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Petition: Stop the dump</a> — closed: 3 signatures" in page


def test_the_history_report_lists_the_asks_results(campaign):
    with translation.override("en"):
        text = with_pdfminer(render_history_report(language="en"))
    assert "Petition: Stop the dump — closed: 3 signatures" in text
