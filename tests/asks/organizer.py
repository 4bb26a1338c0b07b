"""Asks and responses made directly, for the tests/asks/test_organizer_*.py and tests/campaigns/ tests."""

import itertools
from datetime import timedelta

from django.utils import timezone

from asks.models import Ask, Response, Shift
from tests.campaigns.helpers import make_campaign

_seq = itertools.count(1)


def make_ask(kind=Ask.Kind.PETITION, campaign=None, status=Ask.Status.OPEN, **fields):
    n = next(_seq)
    values = {
        "title_ar": f"عريضة {n}",
        "title_en": f"Petition {n}",
        "text_ar": "نطالب بنقل المكب.",
        "text_en": "Move the dump.",
        "target_en": "The city council",
        "target_ar": "مجلس المدينة",
        "slug": f"ask-{n}",
    }
    values.update(fields)
    return Ask.objects.create(campaign=campaign or make_campaign(), kind=kind, status=status, **values)


def make_event(campaign=None, starts=None, **fields):
    starts = starts or timezone.now() + timedelta(days=2)
    values = {
        "title_en": "Clean-up day",
        "title_ar": "يوم التنظيف",
        "starts": starts,
        "ends": starts + timedelta(hours=4),
    }
    values.update(fields)
    return make_ask(Ask.Kind.EVENT, campaign=campaign, **values)


def make_shift(event, slots=2, label="Cleaning"):
    return Shift.objects.create(
        ask=event, label_en=label, starts=event.starts, ends=event.starts + timedelta(hours=2), slots=slots
    )


def person(ask, given="Rima", family="Haddad", email=None, phone=None, status=Response.Status.CONFIRMED, **fields):
    """A response as the public form and the confirmation link leave it."""
    neighbourhood = fields.pop("neighbourhood", "")
    checked_in = fields.pop("checked_in", False)
    response = Response(ask=ask, status=status, **fields)
    response.given_name, response.family_name = given, family
    if email is None and phone is None:
        email = f"{given.lower()}.{next(_seq)}@example.org"
    response.email, response.phone = email or "", phone or ""
    response.neighbourhood = neighbourhood
    response.set_person()
    if status in (Response.Status.CONFIRMED, Response.Status.WAITLISTED):
        response.confirmed_at = timezone.now()
    if checked_in:
        response.checked_in_at = timezone.now()
    response.save()
    return response
