"""The confirmed attendee's mail: its QR code opens the check-in address, shown inline by
Content-ID and written out for mail clients without images; Arabic right to left; nothing
the attendee typed."""

import subprocess
from datetime import timedelta

import pytest
from django.urls import resolve

from asks import tokens
from asks.event_mail import KINDS, build
from asks.event_tasks import send_attendee_mail
from tests.asks.events import (
    PLACE,
    confirmed,
    everything_in,
    html_of,
    language_and_direction,
    mails_to,
    make_event,
    make_shift,
    qr_png_of,
)
from tests.services import need_tool

pytestmark = pytest.mark.django_db


def test_the_qr_code_decodes_to_the_attendees_own_check_in_address(tmp_path):
    need_tool("zbarimg", "zbar-tools")
    attendee = confirmed(make_event(), "amal")
    send_attendee_mail(attendee.pk)
    png, _cid = qr_png_of(mails_to("amal")[0])
    (tmp_path / "qr.png").write_bytes(png)
    decoded = subprocess.run(["zbarimg", "--quiet", "--raw", str(tmp_path / "qr.png")], capture_output=True, text=True)
    path = "/" + decoded.stdout.strip().split("://", 1)[1].split("/", 1)[1]
    match = resolve(path)
    assert (match.view_name, tokens.read(match.kwargs["token"], "checkin")) == ("asks:checkin_token", attendee)


def test_the_html_shows_the_qr_image_it_carries_and_the_address_under_it():
    attendee = confirmed(make_event(), "amal", language="en")
    send_attendee_mail(attendee.pk)
    message = mails_to("amal")[0]
    png, cid = qr_png_of(message)
    html = html_of(message)
    assert (png[:8], f'src="cid:{cid}"' in html, "/asks/checkin/" in html) == (b"\x89PNG\r\n\x1a\n", True, True)


def test_the_mail_gives_the_time_in_the_events_zone_and_the_chosen_shift():
    event = make_event(time_zone="Asia/Damascus", starts_in=timedelta(days=3))
    shift = make_shift(event, slots=3, label="Planting")
    attendee = confirmed(event, "amal", language="en", shift=shift)
    send_attendee_mail(attendee.pk)
    local = event.local_starts().strftime("%H:%M")
    body = mails_to("amal")[0].body
    assert (f"When: {event.local_starts().strftime('%A')}" in body, local in body, "Your shift: Planting" in body) == (
        True,
        True,
        True,
    )


def test_an_arabic_attendee_gets_a_right_to_left_mail_and_an_english_one_left_to_right():
    event = make_event()
    for name, language in (("amal", "ar"), ("bob", "en")):
        send_attendee_mail(confirmed(event, name, language=language).pk)
    assert [language_and_direction(m) for m in mails_to("amal") + mails_to("bob")] == [("ar", "rtl"), ("en", "ltr")]


@pytest.mark.parametrize("kind", KINDS)
def test_no_mail_carries_what_the_attendee_typed(kind):
    attendee = confirmed(make_event(), "zz-typed-name", language="en")
    text = everything_in(build(attendee, kind))
    assert "zz-typed-name" not in text.replace("zz-typed-name@example.org", "")


@pytest.mark.parametrize("kind", KINDS)
def test_only_mails_to_a_confirmed_attendee_carry_the_place(kind):
    attendee = confirmed(make_event(), "amal", language="en")
    has_place = PLACE in everything_in(build(attendee, kind))
    assert has_place == (kind in ("confirmed", "promoted", "reminder_day", "reminder_hours", "changed"))
