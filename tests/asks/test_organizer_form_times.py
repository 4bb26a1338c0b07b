"""Times typed on the ask form that no clock shows: refused with a code, never a 500 or a
silent shift of an hour."""

import pytest

from asks.forms import AskForm
from asks.models import Ask
from tests.campaigns.helpers import make_campaign

from .test_organizer_forms import EVENT, create_event

pytestmark = pytest.mark.django_db


def event_form(**changes):
    return AskForm(dict(EVENT, **changes), instance=Ask(campaign=make_campaign(), kind=Ask.Kind.EVENT))


def error_codes(form, field):
    return [error.code for error in form.errors.as_data().get(field, [])]


@pytest.mark.parametrize(
    ("zone", "typed"), [("America/New_York", "9999-12-31T23:59"), ("Asia/Damascus", "0001-01-01T00:30")]
)
def test_a_time_beyond_what_the_database_can_hold_in_utc_is_a_form_error_not_a_500(zone, typed):
    response, event = create_event(dict(EVENT, starts=typed, ends="", time_zone=zone, **{"shifts-TOTAL_FORMS": "0"}))
    assert (response.status_code, event) == (200, None)


def test_a_wall_clock_time_skipped_by_the_spring_forward_is_refused_with_its_code():
    # 28 March 2027, Berlin: the clocks go from 02:00 to 03:00; "02:30" would be stored as 03:30.
    form = event_form(starts="2027-03-28T02:30", ends="2027-03-28T05:00", time_zone="Europe/Berlin")
    assert "nonexistent_time" in error_codes(form, "starts")


def test_an_ordinary_time_on_the_day_the_clocks_change_is_kept():
    form = event_form(starts="2027-03-28T09:00", ends="2027-03-28T13:00", time_zone="Europe/Berlin")
    assert (form.is_valid(), form.cleaned_data["starts"].isoformat()) == (True, "2027-03-28T09:00:00+02:00")
