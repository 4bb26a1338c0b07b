"""Done-when of issue 14, in Chromium at phone width (390 px), in Arabic and in English.

The supporter's path: scan a print run's QR code (/r/<code>), land on the petition it was
made for, sign, confirm from the email, see the count move, the signature credited to the
print run. The organizer's path: create an event with shifts from the campaign page, a
supporter RSVPs and reads the exact place only once confirmed (in the confirmed mail, never
on a public page or in the "please confirm" mail), the organizer checks them in at the
door, closes the event and finds it in the history with its attendance.

Mail is read from the outbox the test settings use (Django's locmem backend); tasks run
eagerly in the live server's thread, the real task code a worker would run.
Screenshots: test-artifacts/screenshots/asks-<path>-<step>-390-<lang>.png.
"""

import datetime
import re
import zoneinfo

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.roles import ORGANIZER
from asks.models import Ask, Response
from campaigns.models import Action, Campaign
from tests.browser.conftest import log_in, screenshot, set_language
from tests.factories import make_user
from tests.flyers.factories import make_ask, make_campaign, make_flyer, make_response, make_run
from tests.services import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
# (label_ar, label_en, from and to in hours after the event's start, slots)
SHIFTS = [("تنظيف", "Cleaning", 0, 2, 5), ("زراعة", "Planting", 2, 4, 3)]
ZONE = zoneinfo.ZoneInfo("Asia/Damascus")  # the event form's default zone
PLACE = "North gate of the Sakhour garden, by the blue kiosk · البوابة الشمالية لحديقة الصاخور"


@pytest.fixture
def site(settings, tmp_path, live_server, eager_tasks):
    settings.SITE_URL = live_server.url
    settings.VAR_DIR = tmp_path / "var"
    return live_server.url


def phone(browser, base, language):
    """A fresh phone-sized browser (no cookies: a passer-by, not the organizer)."""
    context = browser.new_context(viewport={"width": WIDTH, "height": 844}, locale=language)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = base
    return page


def mails_to(address):
    return [message for message in mail.outbox if address in message.to]


def link_in(message, pattern):
    return re.search(pattern, message.body).group(0)


def count_shown(page):
    return int(page.locator(".goal-bar progress").get_attribute("value"))


@pytest.mark.parametrize("language", ["ar", "en"])
def test_a_supporter_scans_a_flyer_signs_the_petition_confirms_and_sees_the_count_move(browser, site, language):
    campaign = make_campaign("clean-aleppo")
    petition = make_ask(campaign, text_ar="نطالب بإعادة الحاويات.", text_en="Bring the bins back.")
    run = make_run(make_flyer(campaign, target=f"ask:{petition.pk}"), neighbourhood="الشعار")
    for i in range(2):
        make_response(petition, f"earlier-{i}@example.org")
    page = phone(browser, site, language)

    def shot(step):
        screenshot(page, f"asks-supporter-{step}-{WIDTH}-{language}")

    page.goto(f"{site}/r/{run.code}")
    set_language(page, language)
    landed = page.url
    before = count_shown(page)
    wide = {"ask": page.evaluate(OVERFLOW)}
    shot("1-petition")

    email = f"signer-{language}@example.org"
    page.fill(".respond-form input[name=given_name]", "Rana" if language == "en" else "رنا")
    page.fill(".respond-form input[name=email]", email)
    page.click(".respond-form button[type=submit]")
    page.wait_for_load_state()
    expect(page.locator(".thanks")).to_be_visible()
    shot("2-thanks")

    message = wait_for(lambda: mails_to(email), timeout=10)[-1]
    page.goto(link_in(message, r"https?://\S+/respond/confirm/[^/\s]+/"))
    page.click("main form button[type=submit].primary")
    page.wait_for_load_state()
    after = count_shown(page)
    wide["confirmed"] = page.evaluate(OVERFLOW)
    shot("3-confirmed")
    page.goto(site + petition.public_url())
    again = count_shown(page)

    signature = Response.objects.get(ask=petition, print_run=run)
    seen = {
        "landed on the petition with the run's code": landed.endswith(f"{petition.public_url()}?r={run.code}"),
        "count before, on confirming, on the page again": (before, after, again),
        "signature confirmed, credited to the run's neighbourhood": (signature.status, signature.neighbourhood),
        "the page and the mail in the visitor's language": (page.locator("html").get_attribute("lang"), message.to),
        "no sideways scrolling at 390 px": wide,
    }
    assert seen == {
        "landed on the petition with the run's code": True,
        "count before, on confirming, on the page again": (2, 3, 3),
        "signature confirmed, credited to the run's neighbourhood": ("confirmed", "الشعار"),
        "the page and the mail in the visitor's language": (language, [email]),
        "no sideways scrolling at 390 px": {"ask": 0, "confirmed": 0},
    }


def local_input(start, hours):
    """A datetime-local value `hours` after `start` (a wall-clock time in the event's zone)."""
    return f"{start + datetime.timedelta(hours=hours):%Y-%m-%dT%H:%M}"


@pytest.mark.parametrize("language", ["ar", "en"])
def test_an_organizer_runs_an_event_with_shifts_from_creation_to_the_history(browser, site, language):
    campaign = make_campaign("clean-sakhour", kind=Campaign.Kind.CLEANUP)
    organizer = phone(browser, site, language)
    log_in(organizer, make_user(ORGANIZER), language=language)

    def shot(page, step):
        screenshot(page, f"asks-organizer-{step}-{WIDTH}-{language}")

    # Create the event with two shifts from the campaign page, then open it.
    organizer.goto(f"{site}/campaigns/{campaign.pk}/")
    organizer.click(f"a[href='/asks/campaign/{campaign.pk}/new/event/']")
    organizer.wait_for_load_state()
    # Under way: the door opened an hour ago (an event is closed only once it has started).
    start = datetime.datetime.now(ZONE).replace(minute=0, second=0, microsecond=0, tzinfo=None)
    start -= datetime.timedelta(hours=1)
    title = {"ar": "يوم نظافة في الصاخور", "en": "Clean-up day in Al-Sakhour"}
    organizer.fill("input[name=title_ar]", title["ar"])
    organizer.fill("input[name=title_en]", title["en"])
    organizer.fill("input[name=starts]", local_input(start, 0))
    organizer.fill("input[name=ends]", local_input(start, 4))
    organizer.fill("input[name=area_ar]", "حي الصاخور")
    organizer.fill("input[name=area_en]", "Al-Sakhour")
    organizer.fill("textarea[name=place]", PLACE)
    organizer.fill("input[name=capacity]", "30")
    for i, (ar, en, begins, ends, slots) in enumerate(SHIFTS):
        organizer.fill(f"input[name=shifts-{i}-label_ar]", ar)
        organizer.fill(f"input[name=shifts-{i}-label_en]", en)
        organizer.fill(f"input[name=shifts-{i}-starts]", local_input(start, begins))
        organizer.fill(f"input[name=shifts-{i}-ends]", local_input(start, ends))
        organizer.fill(f"input[name=shifts-{i}-slots]", str(slots))
    shot(organizer, "1-new-event")
    organizer.click("form.ask-form button[type=submit].primary")
    organizer.wait_for_load_state()
    event = Ask.objects.get(campaign=campaign, kind=Ask.Kind.EVENT)
    organizer.click("button[name=status][value=open]")
    organizer.wait_for_load_state()
    shot(organizer, "2-event-open")
    event.refresh_from_db()
    created = (event.status, [(s.label_en, s.slots) for s in event.shifts.all()], event.place)

    # A supporter RSVPs for the planting shift: the public page shows the area, not the place.
    supporter = phone(browser, site, language)
    supporter.goto(site + event.public_url())
    set_language(supporter, language)
    public_page = supporter.content()
    supporter.locator("select[name=shift]").select_option(index=2)
    email = f"attendee-{language}@example.org"
    name = "Karim" if language == "en" else "كريم"
    supporter.fill(".respond-form input[name=given_name]", name)
    supporter.fill(".respond-form input[name=email]", email)
    shot(supporter, "3-rsvp")
    supporter.click(".respond-form button[type=submit]")
    supporter.wait_for_load_state()
    please_confirm = wait_for(lambda: mails_to(email), timeout=10)[-1]
    supporter.goto(link_in(please_confirm, r"https?://\S+/respond/confirm/[^/\s]+/"))
    supporter.click("main form button[type=submit].primary")
    supporter.wait_for_load_state()
    confirmed_page = supporter.content()
    shot(supporter, "4-rsvp-confirmed")
    confirmed_mail = wait_for(lambda: mails_to(email)[1:], timeout=10)[-1]
    attendee = Response.objects.get(ask=event)

    # At the door: the organizer finds the attendee on the list and checks them in.
    organizer.goto(f"{site}/asks/{event.pk}/")
    organizer.click(f"a[href='/asks/{event.pk}/checkin/']")
    organizer.wait_for_load_state()
    organizer.locator(".door-list li", has_text=name).locator("button[type=submit]").click()
    organizer.wait_for_load_state()
    door = organizer.locator(".door-count bdi").inner_text()
    shot(organizer, "5-door")

    # Close it: the confirmation step, then the history has the event with its attendance.
    organizer.goto(f"{site}/asks/{event.pk}/")
    organizer.click("button[name=status][value=closed]")
    organizer.wait_for_load_state()
    organizer.click("section.confirm button[type=submit]")
    organizer.wait_for_load_state()
    organizer.goto(f"{site}/campaigns/history/")
    entry = organizer.locator("li.action", has_text=title[language])
    entry_text = entry.inner_text()
    shot(organizer, "6-history")
    action = Action.objects.get(campaign=campaign)

    seen = {
        "event created open with its shifts and place": created,
        "public page: area shown, place hidden": (
            "Sakhour" in public_page or "الصاخور" in public_page,
            PLACE in public_page,
        ),  # fmt: skip
        "place not in the 'please confirm' mail nor on the confirmed page": (
            PLACE in please_confirm.body,
            PLACE in confirmed_page,
        ),
        "place in the confirmed mail": PLACE in confirmed_mail.body,
        "attendee confirmed on the planting shift and checked in": (
            Response.objects.get(pk=attendee.pk).status,
            attendee.shift.label_en,
            Response.objects.get(pk=attendee.pk).checked_in_at is not None,
        ),
        "door count": door,
        "history entry with its attendance": (
            action.participants,
            action.date,
            entry.count(),
            bool(re.search(r"\b1\b|١", entry_text)),
        ),  # fmt: skip
    }
    assert seen == {
        "event created open with its shifts and place": ("open", [("Cleaning", 5), ("Planting", 3)], PLACE),
        "public page: area shown, place hidden": (True, False),
        "place not in the 'please confirm' mail nor on the confirmed page": (False, False),
        "place in the confirmed mail": True,
        "attendee confirmed on the planting shift and checked in": ("confirmed", "Planting", True),
        "door count": "1 / 1",
        "history entry with its attendance": (1, start.date(), 1, True),
    }
