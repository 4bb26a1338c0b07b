"""The signed links that stand for one response (asks/tokens.py): nothing in them is the same
for one person across asks, a reused id reaches nobody else, and links already mailed in the
old format keep working."""

import pytest
from django.core import signing

from asks import tokens
from asks.models import Response
from tests.asks.events import confirmed, make_event

pytestmark = pytest.mark.django_db


def payload(token, purpose="checkin"):
    return signing.loads(token, salt=tokens.SALTS[purpose])


def old_format(response, purpose):
    """A link as mailed before the keyed digest: the first 16 characters of person_hash."""
    return signing.dumps({"r": response.pk, "h": response.person_hash[:16]}, salt=tokens.SALTS[purpose], compress=True)


def test_one_persons_links_to_two_events_share_nothing_that_links_them():
    first, second = confirmed(make_event(slug="a"), "amal"), confirmed(make_event(slug="b"), "amal")
    values = [set(map(str, payload(tokens.make(r, "checkin")).values())) - {str(r.pk)} for r in (first, second)]
    person = first.person_hash
    assert (values[0] & values[1], any(person[:8] in value for value in values[0] | values[1])) == (set(), False)


@pytest.mark.parametrize("purpose", list(tokens.SALTS))
def test_a_link_reads_back_its_response(purpose):
    attendee = confirmed(make_event(), "amal")
    assert tokens.read(tokens.make(attendee, purpose), purpose) == attendee


def test_a_link_to_a_deleted_response_does_not_reach_the_next_person_given_its_id():
    event = make_event()
    gone = confirmed(event, "amal")
    link, pk = tokens.make(gone, "withdraw"), gone.pk
    gone.delete()
    newcomer = Response(pk=pk, ask=event, language="ar")
    newcomer.given_name, newcomer.email = "bilal", "bilal@example.org"
    newcomer.set_person()
    newcomer.save()
    assert tokens.read(link, "withdraw") is None


@pytest.mark.parametrize("purpose", list(tokens.SALTS))
def test_a_link_mailed_in_the_old_format_still_works(purpose):
    attendee = confirmed(make_event(), "amal")
    assert tokens.read(old_format(attendee, purpose), purpose) == attendee


def test_an_old_format_link_with_another_persons_hash_is_refused():
    event = make_event()
    amal, bilal = confirmed(event, "amal"), confirmed(event, "bilal")
    forged = signing.dumps({"r": amal.pk, "h": bilal.person_hash[:16]}, salt=tokens.SALTS["checkin"], compress=True)
    assert tokens.read(forged, "checkin") is None


def test_a_link_made_before_a_secret_key_rotation_still_works(settings):
    attendee = confirmed(make_event(), "amal")
    link = tokens.make(attendee, "withdraw")
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40
    assert tokens.read(link, "withdraw") == attendee
