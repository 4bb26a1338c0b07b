import pytest

from contacts.models import ConsentEvent, Contact, ContactList, Membership
from messaging import tokens

from .helpers import make_list, make_message

pytestmark = pytest.mark.django_db


def _setup():
    contact_list, (contact,) = make_list(count=1)
    message = make_message(contact_list)
    return contact, message, tokens.make(contact.pk, message.pk)


def test_the_one_click_post_unsubscribes_and_records_consent_once(client):
    contact, message, token = _setup()
    url = f"/u/{token}/"

    for _ in range(2):
        response = client.post(url, {"List-Unsubscribe": "One-Click"})
        assert response.status_code == 200

    contact.refresh_from_db()
    assert contact.status == Contact.Status.UNSUBSCRIBED
    events = ConsentEvent.objects.filter(contact=contact, kind="unsubscribed")
    assert events.count() == 1 and events.get().message_id == message.pk and events.get().method == "one_click"


def test_opening_the_link_asks_before_unsubscribing(client):
    contact, _message, token = _setup()
    response = client.get(f"/u/{token}/")
    assert response.status_code == 200 and b"<form" in response.content
    contact.refresh_from_db()
    assert contact.status == Contact.Status.SUBSCRIBED


@pytest.mark.parametrize(
    "mangle", [lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"), lambda t: "2" + t, lambda t: "x"]
)
def test_a_forged_or_altered_token_is_refused(client, mangle):
    contact, _message, token = _setup()
    response = client.post(f"/u/{mangle(token)}/")
    assert response.status_code == 404
    contact.refresh_from_db()
    assert contact.status == Contact.Status.SUBSCRIBED


def test_a_token_for_another_contact_cannot_be_made_by_editing_the_id(client):
    contact, message, token = _setup()
    other = Contact.objects.create(status="subscribed")
    forged = token.replace(f"{contact.pk}-", f"{other.pk}-", 1)
    assert client.post(f"/u/{forged}/").status_code == 404
    other.refresh_from_db()
    assert other.status == Contact.Status.SUBSCRIBED


def test_the_preference_page_changes_language_and_leaves_a_list(client):
    contact, _message, token = _setup()
    second = ContactList.objects.create(name="Gaziantep")
    Membership.objects.create(contact=contact, contact_list=second)

    response = client.post(f"/u/{token}/preferences/", {"language": "en", "leave": [str(second.pk)]})

    assert response.status_code == 200
    contact.refresh_from_db()
    assert contact.language == "en"
    assert not Membership.objects.get(contact=contact, contact_list=second).subscribed
    assert Membership.objects.filter(contact=contact, subscribed=True).count() == 1
    assert ConsentEvent.objects.filter(contact=contact, kind__in=["language_changed", "list_left"]).count() == 2
