"""What a messenger shows when someone shares a campaign's or an ask's address (Open Graph
tags in the page's head): its title and the start of its text in the page's language, the
address without the flyer's code, and never an event's exact place."""

import re
from html import unescape

import pytest
from django.test import Client

from tests.asks.public import PLACE, english, make_ask, make_event, print_run_for

pytestmark = pytest.mark.django_db


def preview(path, client=None):
    """{property or name: content} of the page's preview tags, with its canonical address."""
    body = (client or english()).get(path).content.decode()
    head = body[: body.index("</head>")]
    tags = {
        key: unescape(value) for key, value in re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)"', head)
    }
    tags["canonical"] = re.search(r'<link rel="canonical" href="([^"]+)"', head).group(1)
    return tags


def test_an_ask_is_previewed_with_its_title_text_and_own_address():
    ask = make_ask()
    tags = preview(ask.public_url())
    assert (tags["og:title"], tags["og:description"], tags["og:url"], tags["canonical"]) == (
        "Stop the dump",
        "We ask the council to move the dump away from the school.",
        f"http://testserver{ask.public_url()}",
        f"http://testserver{ask.public_url()}",
    )


def test_the_address_shared_from_a_flyer_is_previewed_without_the_flyers_code():
    ask = make_ask()
    run = print_run_for(ask)
    assert preview(f"{ask.public_url()}?r={run.code}")["og:url"] == f"http://testserver{ask.public_url()}"


def test_an_arabic_page_is_previewed_in_arabic():
    ask = make_ask()
    tags = preview(ask.public_url(), Client())
    assert (tags["og:title"], tags["og:locale"]) == ("أوقفوا المكب", "ar_AR")


def test_a_long_text_is_previewed_by_its_first_forty_words():
    ask = make_ask(text_en=" ".join(f"w{n}" for n in range(100)))
    assert preview(ask.public_url())["og:description"] == " ".join(f"w{n}" for n in range(40)) + " …"


def test_an_events_preview_never_holds_its_exact_place():
    event = make_event(text_en="Bring gloves.")
    tags = preview(event.public_url())
    assert not any(PLACE in value for value in tags.values())


def test_a_campaign_page_is_previewed_with_the_campaigns_title_and_address():
    ask = make_ask()
    tags = preview(ask.campaign.public_url())
    assert (tags["og:title"], tags["og:url"]) == (ask.campaign.title, f"http://testserver{ask.campaign.public_url()}")
