"""Asks, posts and mails for the tests/asks/test_public_*.py and tests/public_pages/test_ask_*.py tests."""

import re

from django.core import mail
from django.test import Client

from asks.models import Ask
from tests.flyers.factories import make_campaign, make_flyer, make_run

PLACE = "Behind the old mill, second door"


def make_ask(kind=Ask.Kind.PETITION, slug="stop-the-dump", campaign=None, status=Ask.Status.OPEN, **extra):
    campaign = campaign or make_campaign(slug="clean-aleppo")
    fields = {
        "title_ar": "أوقفوا المكب",
        "title_en": "Stop the dump",
        "text_ar": "نطالب البلدية بنقل المكب بعيداً عن المدرسة.",
        "text_en": "We ask the council to move the dump away from the school.",
        "target_ar": "مجلس المدينة",
        "target_en": "The city council",
        "goal": 5000,
    }
    fields.update(extra)
    return Ask.objects.create(campaign=campaign, kind=kind, slug=slug, status=status, **fields)


def make_event(slug="clean-up-day", **extra):
    from datetime import timedelta

    from django.utils import timezone

    event = make_ask(
        Ask.Kind.EVENT, slug=slug, goal=None, capacity=extra.pop("capacity", 40),
        area_ar="حي الجميلية", area_en="Al-Jamiliyah quarter",
        starts=timezone.now() + timedelta(days=3), ends=timezone.now() + timedelta(days=3, hours=4), **extra,
    )  # fmt: skip
    event.place = PLACE
    event.save()
    return event


def print_run_for(ask, neighbourhood="Al-Jamiliyah", city="Aleppo"):
    return make_run(make_flyer(ask.campaign), neighbourhood=neighbourhood, city=city)


def english():
    client = Client()
    client.cookies["django_language"] = "en"
    return client


def answer(ask, client=None, **fields):
    """POST the ask's public form as a person would; returns the response."""
    data = {"given_name": "Rima", "email": "rima@example.org", "language": "en"}
    data.update(fields)
    data = {key: value for key, value in data.items() if value is not None}
    return (client or english()).post(ask.public_url(), data)


def confirm_links():
    """Confirmation paths in the mails sent so far, oldest first."""
    return [
        m.group(1)
        for message in mail.outbox
        for m in [re.search(r"https?://[^/\s]+(/respond/confirm/\S+/)", message.body)]
        if m
    ]
