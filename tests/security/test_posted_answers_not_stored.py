"""A public form answered with an error shows the visitor what they typed (their name, their
email) back in the page: that answer must not stay in the browser's cache either, even
though the page's address is a cacheable public one."""

import pytest
from django.test import Client

from tests.asks.public import answer, make_ask

pytestmark = pytest.mark.django_db


def test_a_petition_refused_for_a_bad_phone_echoes_the_name_but_is_not_stored():
    refused = answer(make_ask(), Client(), given_name="Secretname", email="", phone="not a phone")
    assert (refused.status_code, "Secretname" in refused.content.decode(), refused.get("Cache-Control")) == (
        400, True, "no-store, private",
    )  # fmt: skip


def test_the_campaign_pages_signup_refused_is_not_stored_either():
    ask = make_ask()
    refused = Client().post(ask.campaign.public_url(), {"email": "rima@", "given_name": "Secretname"})
    assert refused.get("Cache-Control") == "no-store, private"
