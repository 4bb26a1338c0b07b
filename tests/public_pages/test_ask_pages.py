"""The pages a supporter answers an ask on: the campaign page's current ask, the ask's own page,
the thank-you, the confirmation pages (public_pages/ask_pages.py)."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone

from asks.models import Ask, Response, Shift
from campaigns.models import Campaign
from flyers.models import PrintRun
from tests.asks.public import (
    PLACE,
    answer,
    confirm_links,
    english,
    make_ask,
    make_event,
    print_run_for,
)
from tests.flyers.factories import make_campaign

pytestmark = pytest.mark.django_db


def page(path, client=None):
    return (client or english()).get(path).content.decode()


def test_the_campaign_page_shows_its_current_ask_before_the_newsletter_signup():
    ask = make_ask()
    body = page(ask.campaign.public_url())
    assert -1 < body.index("Stop the dump") < body.index('name="keep_informed"') < body.index("Stay informed")


def test_the_current_ask_is_the_open_one_first_in_order():
    first = make_ask(slug="first", title_en="First ask", position=1)
    make_ask(slug="second", title_en="Second ask", position=2, campaign=first.campaign)
    make_ask(slug="draft", title_en="Draft ask", position=0, campaign=first.campaign, status=Ask.Status.DRAFT)
    body = page(first.campaign.public_url())
    assert ("First ask" in body, "Second ask" in body, "Draft ask" in body) == (True, False, False)


def test_the_campaign_page_shortens_a_long_text_with_a_link_to_the_ask_page():
    ask = make_ask(text_en="word " * 80)
    body = page(ask.campaign.public_url())
    assert f'href="{ask.public_url()}">Read more' in body


def test_the_ask_page_has_the_full_text_the_target_the_goal_bar_and_share_links():
    ask = make_ask(text_en="word " * 80 + "THE-END")
    body = page(ask.public_url())
    found = [
        "THE-END" in body,
        "The city council" in body,
        '<progress class="progress" value="0" max="5000">' in body,
        "0 signatures of 5,000" in body,
        "https://wa.me/?" in body and "https://t.me/share/url?" in body and "facebook.com/sharer" in body,
        "https://x.com/intent/post?" in body,
        re.search(r'<input type="text" readonly value="http://testserver/c/clean-aleppo/stop-the-dump/"', body)
        is not None,
    ]
    assert found == [True] * 7


def test_the_count_is_shown_in_arabic_and_english_when_the_ask_has_both_titles():
    ask = make_ask()
    body = page(ask.public_url(), Client())  # Arabic first
    sentences = re.findall(r'<p class="goal-count[^"]*" lang="(\w\w)"', body)
    assert sentences == ["ar", "en"]


def test_an_ask_in_one_language_shows_its_count_in_that_language_only():
    ask = make_ask(title_ar="", text_ar="", target_ar="")
    sentences = re.findall(r'<p class="goal-count[^"]*" lang="(\w\w)"', page(ask.public_url(), Client()))
    assert sentences == ["en"]


def test_the_thank_you_asks_to_confirm_from_the_inbox():
    ask = make_ask()
    reply = answer(ask)
    body = page(reply["Location"])
    assert ("Check your inbox" in body, "counts once you confirm" in body, 'name="given_name"' in body) == (
        True, True, False,
    )  # fmt: skip


@pytest.mark.usefixtures("eager_tasks")
def test_the_count_moves_only_once_the_response_is_confirmed(django_capture_on_commit_callbacks):
    ask = make_ask()
    with django_capture_on_commit_callbacks(execute=True):
        answer(ask)
    before = page(ask.public_url())
    confirmed = english().post(confirm_links()[0]).content.decode()
    after = page(ask.public_url())
    moved = ["1 signature of 5,000" in text for text in (confirmed, after)]
    assert ("0 signatures of 5,000" in before, moved) == (True, [True, True])


@pytest.mark.usefixtures("eager_tasks")
def test_the_confirmation_page_shows_a_button_and_confirms_only_on_post(django_capture_on_commit_callbacks):
    ask = make_ask()
    with django_capture_on_commit_callbacks(execute=True):
        answer(ask)
    shown = page(confirm_links()[0])
    assert ("Confirm your signature" in shown, "<form method=\"post\"" in shown, Response.objects.get().status) == (
        True, True, Response.Status.PENDING,
    )  # fmt: skip


@pytest.mark.parametrize("status", [Ask.Status.CLOSED, Ask.Status.CANCELLED])
def test_a_closed_or_cancelled_ask_shows_its_result_and_no_form(status):
    ask = make_ask(status=status)
    body = page(ask.public_url())
    says_so = "no longer takes answers" in body or "This was cancelled" in body
    assert ("signatures of 5,000" in body, 'name="given_name"' in body, says_so) == (True, False, True)


def test_a_closed_ask_refuses_a_posted_answer_with_409():
    ask = make_ask(status=Ask.Status.CLOSED)
    assert (answer(ask).status_code, Response.objects.count()) == (409, 0)


@pytest.mark.parametrize(
    "change",
    [
        lambda ask: Ask.objects.filter(pk=ask.pk).update(status=Ask.Status.DRAFT),
        lambda ask: Campaign.objects.filter(pk=ask.campaign_id).update(is_public=False),
        lambda ask: Campaign.objects.filter(pk=ask.campaign_id).update(status=Campaign.Status.CANCELLED),
    ],
    ids=["draft ask", "campaign not public", "campaign cancelled"],
)
def test_an_ask_nobody_may_read_is_404(change):
    ask = make_ask()
    change(ask)
    assert (english().get(ask.public_url()).status_code, answer(ask).status_code) == (404, 404)


def test_an_invalid_answer_is_shown_again_with_its_errors_and_400():
    ask = make_ask()
    reply = answer(ask, email="not-an-address", given_name="x" * 5000)
    assert (reply.status_code, 'class="errorlist"' in reply.content.decode(), Response.objects.count()) == (
        400,
        True,
        0,
    )


def test_an_event_page_shows_its_time_in_its_own_zone_and_the_area_never_the_place():
    event = make_event(time_zone="Asia/Damascus")
    event.starts = timezone.make_aware(timezone.datetime(2030, 5, 4, 6, 0), timezone.get_fixed_timezone(0))
    event.ends = event.starts + timedelta(hours=3)
    event.save()
    bodies = page(event.public_url()) + page(event.campaign.public_url()) + page(event.public_url(), Client())
    assert ("09:00–12:00" in bodies, "Al-Jamiliyah quarter" in bodies, PLACE in bodies) == (True, True, False)


@pytest.mark.usefixtures("eager_tasks")
def test_the_exact_place_is_on_no_public_page_of_the_rsvp_path(django_capture_on_commit_callbacks):  # noqa: F811
    event = make_event()
    with django_capture_on_commit_callbacks(execute=True):
        thanks = english().get(answer(event)["Location"]).content.decode()
    link = confirm_links()[0]
    confirm_get = page(link)
    with django_capture_on_commit_callbacks(execute=True):  # the attendee mail (with the place) goes out
        confirm_post = english().post(link).content.decode()
    assert [PLACE in text for text in (thanks, mail.outbox[0].body, confirm_get, confirm_post)] == [False] * 4


def test_an_event_with_shifts_asks_for_one_and_says_which_are_full():
    event = make_event()
    full = Shift.objects.create(ask=event, label_en="Planting", starts=event.starts, ends=event.ends, slots=1)
    Shift.objects.create(ask=event, label_en="Cleaning", starts=event.starts, ends=event.ends, slots=5)
    taken = Response(ask=event, shift=full, status=Response.Status.CONFIRMED)
    taken.email = "first@example.org"
    taken.set_person()
    taken.save()
    body = page(event.public_url())
    assert (re.search(r"Planting · full: waitlist", body) is not None, "Cleaning · 5 places left" in body) == (
        True,
        True,
    )


def test_an_rsvp_without_a_shift_is_refused_when_the_event_has_shifts():
    event = make_event()
    Shift.objects.create(ask=event, label_en="Cleaning", starts=event.starts, ends=event.ends, slots=5)
    assert (answer(event).status_code, Response.objects.count()) == (400, 0)


def test_an_rsvp_keeps_the_chosen_shift():
    event = make_event()
    shift = Shift.objects.create(ask=event, label_en="Cleaning", starts=event.starts, ends=event.ends, slots=5)
    answer(event, shift=str(shift.pk))
    assert Response.objects.get().shift == shift


def test_a_print_run_code_counts_the_visit_and_credits_the_response_and_its_neighbourhood():
    ask = make_ask()
    run = print_run_for(ask, neighbourhood="Al-Jamiliyah")
    client = english()
    form = client.get(f"{ask.public_url()}?r={run.code}").content.decode()
    answer(ask, client, r=run.code, neighbourhood="Al-Jamiliyah")
    response = Response.objects.get()
    prefilled = 'value="Al-Jamiliyah"' in form
    assert (PrintRun.objects.get().visits, prefilled, response.print_run, response.neighbourhood) == (
        1, True, run, "Al-Jamiliyah",
    )  # fmt: skip


def test_another_campaigns_print_run_code_is_not_credited():
    ask = make_ask()
    other = print_run_for(make_ask(campaign=make_campaign(slug="other-campaign")))
    answer(ask, r=other.code)
    assert Response.objects.get().print_run is None


def test_the_campaign_page_form_carries_the_print_run_code_to_the_ask_page():
    ask = make_ask()
    run = print_run_for(ask)
    body = page(f"{ask.campaign.public_url()}?r={run.code}")
    assert f'<input type="hidden" name="r" value="{run.code}">' in body


@pytest.mark.parametrize("language", ["ar", "en"])
def test_an_ask_page_with_its_stylesheet_weighs_under_50_kb(language):
    ask = make_ask(text_en="word " * 200, text_ar="كلمة " * 200)
    client = Client()
    client.cookies["django_language"] = language
    html = client.get(ask.public_url()).content
    css = (Path(settings.BASE_DIR) / "static" / "css" / "hamla.css").read_bytes()
    assert len(html) + len(css) < 50 * 1024
