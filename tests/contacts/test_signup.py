import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from campaigns.models import Campaign
from contacts import signup
from contacts.models import ConsentEvent, Contact
from flyers.models import Flyer, PrintRun

from .helpers import make_contact

pytestmark = pytest.mark.django_db


def outbox():
    return mail.outbox


def confirm_link(message):
    assert message.alternatives[0].mimetype == "text/html"
    return re.search(r"https?://\S+/signup/confirm/\S+/", message.body).group(0)


def post_signup(client=None, **data):
    form = {"email": "new.person@example.org", "given_name": "Rana", "language": "en", "website": ""} | data
    return (client or Client()).post(reverse("public:signup") + data.pop("query", ""), form)


def test_a_signup_stays_pending_until_the_emailed_link_is_opened():
    campaign = Campaign.objects.create(title_en="Clean Aleppo", slug="clean")
    flyer = Flyer.objects.create(campaign=campaign, name="f")
    run = PrintRun.objects.create(flyer=flyer, quantity=100, city="حلب")
    response = post_signup(query=f"?r={run.code}")
    assert response.status_code == 200 and b"signup-sent" in response.content
    contact = Contact.objects.by_email("new.person@example.org")
    assert contact.status == Contact.Status.PENDING and contact.city == "حلب"
    [message] = outbox()
    assert message.to == ["new.person@example.org"]
    link = confirm_link(message).replace(settings.SITE_URL, "")
    page = Client().get(link)  # what a mail scanner following every link does
    assert page.status_code == 200 and f'action="{link}"' in page.content.decode()
    contact.refresh_from_db()
    assert contact.status == Contact.Status.PENDING
    assert Client().post(link).status_code == 200
    contact.refresh_from_db()
    assert contact.status == Contact.Status.SUBSCRIBED
    assert ConsentEvent.objects.filter(kind="confirmed", campaign=campaign).count() == 1
    assert ConsentEvent.objects.filter(kind="confirmed", print_run=run).count() == 1
    Client().post(link)  # a second click changes nothing
    assert ConsentEvent.objects.filter(kind="confirmed").count() == 1


def test_the_answer_is_the_same_for_a_known_email_and_the_known_name_is_not_overwritten():
    known = make_contact(email="known@example.org", given="Original")
    fresh = post_signup(email="fresh@example.org")
    again = post_signup(email="known@example.org", given_name="Attacker")
    strip = lambda r: re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", r.content)  # noqa: E731
    assert fresh.status_code == again.status_code == 200
    assert strip(fresh) == strip(again)
    known.refresh_from_db()
    assert known.given_name == "Original" and known.status == Contact.Status.SUBSCRIBED
    assert len(outbox()) == 2


def test_the_honeypot_stores_and_sends_nothing_but_looks_successful():
    response = post_signup(website="http://spam.example")
    assert response.status_code == 200 and b"signup-sent" in response.content
    assert not Contact.objects.exists() and outbox() == []


def test_floods_from_one_address_are_rate_limited(monkeypatch):
    monkeypatch.setattr(signup, "SIGNUPS_PER_IP", 3)
    client = Client()
    codes = [post_signup(client, email=f"p{i}@example.org").status_code for i in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    assert Contact.objects.count() == 3


def test_one_inbox_gets_at_most_a_few_confirmation_mails():
    for i in range(6):
        post_signup(Client(REMOTE_ADDR=f"10.0.0.{i}"), email="target@example.org")
    assert len(outbox()) == signup.MAILS_PER_EMAIL


@pytest.mark.parametrize("token", ["forged", "eyJjIjoxfQ:1abc:def"])
def test_a_forged_or_broken_token_confirms_nothing(token):
    contact = make_contact(email="p@example.org", status=Contact.Status.PENDING)
    assert Client().get(reverse("public:signup_confirm", args=[token])).status_code == 400
    response = Client().post(reverse("public:signup_confirm", args=[token]))
    assert response.status_code == 400
    contact.refresh_from_db()
    assert contact.status == Contact.Status.PENDING


def test_a_token_for_an_erased_contact_is_refused():
    contact = make_contact(email="gone@example.org", status=Contact.Status.PENDING)
    token = signup.make_token(contact)
    contact.erase(None)
    assert Client().post(reverse("public:signup_confirm", args=[token])).status_code == 400


def test_unsubscribe_and_suppress_are_idempotent_and_recorded_once():
    contact = make_contact(email="u@example.org")
    assert contact.unsubscribe("one_click", message=7) and not contact.unsubscribe("one_click", message=7)
    assert ConsentEvent.objects.filter(kind="unsubscribed", message_id=7).count() == 1
    assert contact.suppress("complained") and not contact.suppress("complained")
    assert Contact.objects.get(pk=contact.pk).status == "complained"
    # A later unsubscribe click does not hide the complaint.
    assert not Contact.objects.get(pk=contact.pk).unsubscribe("one_click")
    assert Contact.objects.get(pk=contact.pk).status == "complained"
    with pytest.raises(ValueError):
        contact.suppress("nonsense")


def test_the_campaign_panel_counts_signups_without_naming_anyone():
    from contacts.panels import campaign_panel

    campaign = Campaign.objects.create(title_en="C", slug="c")
    contact = make_contact(email="p@example.org", status=Contact.Status.PENDING)
    ConsentEvent.objects.create(contact=contact, kind="requested", campaign=campaign)
    contact.confirm(campaign=campaign)
    panel = campaign_panel(campaign)
    assert (panel["confirmed"], panel["requested"], panel["unsubscribed"]) == (1, 1, 0)
    assert panel["template"] == "contacts/_campaign_panel.html"


def test_a_token_does_not_confirm_a_different_contact_that_reuses_the_id():
    contact = make_contact(email="first@example.org", status=Contact.Status.PENDING)
    token = signup.make_token(contact)
    pk = contact.pk
    contact.erase(None)
    other = make_contact(email="second@example.org", status=Contact.Status.PENDING)
    Contact.objects.filter(pk=other.pk).update(id=pk)
    assert Client().post(reverse("public:signup_confirm", args=[token])).status_code == 400
    assert Contact.objects.get(pk=pk).status == Contact.Status.PENDING


def token_issued_earlier(contact, **payload):
    """A valid token as make_token wrote it an hour ago (signed now, so not expired)."""
    import time

    from django.core import signing

    fresh = signing.loads(signup.make_token(contact, **payload), salt=signup.SALT)
    return signing.dumps({**fresh, "t": time.time() - 3600}, salt=signup.SALT, compress=True)


def test_a_confirmation_mail_from_before_an_unsubscribe_cannot_bring_them_back():
    contact = make_contact(email="left@example.org")
    token = token_issued_earlier(contact)
    contact.unsubscribe("one_click")

    assert Client().post(reverse("public:signup_confirm", args=[token])).status_code == 400
    assert Contact.objects.get(pk=contact.pk).status == Contact.Status.UNSUBSCRIBED

    fresh = signup.make_token(contact)  # a new request after leaving is fresh consent
    assert Client().post(reverse("public:signup_confirm", args=[fresh])).status_code == 200
    assert Contact.objects.get(pk=contact.pk).status == Contact.Status.SUBSCRIBED


def test_an_old_confirmation_mail_cannot_put_someone_back_on_a_list_they_left():
    from contacts.models import ContactList, Membership

    contact_list = ContactList.objects.create(name="Aleppo")
    contact = make_contact(email="member@example.org", contact_list=contact_list)
    token = token_issued_earlier(contact, contact_list=contact_list)
    contact.leave_list(contact_list)

    assert Client().post(reverse("public:signup_confirm", args=[token])).status_code == 400
    assert not Membership.objects.get(contact=contact, contact_list=contact_list).subscribed

    fresh = signup.make_token(contact, contact_list=contact_list)
    assert Client().post(reverse("public:signup_confirm", args=[fresh])).status_code == 200
    assert Membership.objects.get(contact=contact, contact_list=contact_list).subscribed
    assert ConsentEvent.objects.filter(contact=contact, kind="confirmed", contact_list=contact_list).exists()
