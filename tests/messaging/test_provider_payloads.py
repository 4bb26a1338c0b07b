"""Every provider Hamla names, fed its own sample events (tests/messaging/payloads/, sources
in its README), through the real webhook URL with the basic-auth secret: each event moves
the delivery and, where it should, stops sending to the contact with a consent event.

Signatures are checked where anymail checks them: Mailgun's are computed here with a test
signing key, as anymail's own tests do. Amazon SES's subscription handshake goes out to
AWS through botocore; only that outbound HTTP call is replaced.
"""

import base64
import hashlib
import hmac
import json
from pathlib import Path
from unittest import mock
from urllib.parse import parse_qsl, urlsplit

import pytest
from botocore.awsrequest import AWSResponse
from botocore.httpsession import URLLib3Session

from contacts.models import ConsentEvent, Contact
from messaging.models import Delivery

from .helpers import make_list, make_message

pytestmark = pytest.mark.django_db

PAYLOADS = Path(__file__).parent / "payloads"
SECRET = "hook:secret-for-payloads"
MAILGUN_KEY = "TEST_WEBHOOK_SIGNING_KEY"

# (provider, payload file, message id as the provider gives it back,
#  then delivery status, contact status and the consent events recorded)
SUBSCRIBED = "subscribed"
CASES = [
    # Postmark
    ("postmark", "delivered", "883953f4-6105-42a2-a16a-77a8eac79483", "delivered", SUBSCRIBED, []),
    ("postmark", "hard_bounce", "2706ee8a-737c-4285-b032-ccd317af53ed", "bounced", "bounced", ["bounced"]),
    ("postmark", "soft_bounce", "2706ee8a-737c-4285-b032-ccd317af53ed", "sent", SUBSCRIBED, []),
    ("postmark", "manually_deactivated", "2706ee8a-737c-4285-b032-ccd317af53ed", "rejected", "bounced", ["bounced"]),
    ("postmark", "spam_complaint", "2706ee8a-737c-4285-b032-ccd317af53ed", "complained", "complained", ["complained"]),
    (
        "postmark",
        "subscription_change_unsubscribe",
        "a4909a96-73d7-4c49-b148-a54522d3f7ac",
        "unsubscribed",
        "unsubscribed",
        ["unsubscribed"],
    ),
    (
        "postmark",
        "bounce_unsubscribe_request",
        "5555555-5555555-5555-5555555",
        "unsubscribed",
        "unsubscribed",
        ["unsubscribed"],
    ),
    (
        "postmark",
        "subscription_change_hard_bounce",
        "b4cb783d-78ed-43f2-983b-63f55c712dc8",
        "bounced",
        "bounced",
        ["bounced"],
    ),
    ("postmark", "subscription_change_resubscribe", "a4909a96-73d7-4c49-b148-a54522d3f7ac", "sent", SUBSCRIBED, []),
    # Mailgun (message ids come back in angle brackets)
    ("mailgun", "delivered", "<20180812211713.1.DF5966851B4BAA99@example.org>", "delivered", SUBSCRIBED, []),
    (
        "mailgun",
        "failed_permanent",
        "<20180812214658.1.0DF563D0B3597700@example.org>",
        "bounced",
        "bounced",
        ["bounced"],
    ),
    ("mailgun", "failed_temporary", "<20180812214638.1.4A7D468E9BC18C5D@example.org>", "sent", SUBSCRIBED, []),
    ("mailgun", "rejected", "<20180622220256.1.B31A451A2E5422BB@sandbox55887.mailgun.org>", "rejected", SUBSCRIBED, []),
    ("mailgun", "complained", "<20130718032413.263EE2E0926@example.org>", "complained", "complained", ["complained"]),
    (
        "mailgun",
        "unsubscribed",
        "<20130822232216.13966.79700@samples.mailgun.org>",
        "unsubscribed",
        "unsubscribed",
        ["unsubscribed"],
    ),
    (
        "mailgun",
        "failed_suppress_bounce",
        "<20130503192659.13651.20287@mg.gitlab.com>",
        "rejected",
        "bounced",
        ["bounced"],
    ),
    (
        "mailgun",
        "failed_suppress_unsubscribe",
        "<20130503192659.13651.20287@mg.gitlab.com>",
        "rejected",
        "unsubscribed",
        ["unsubscribed"],
    ),
    # SendGrid (anymail_id when the message was sent through anymail, else smtp-id)
    ("sendgrid", "delivered", "<14c5d75ce93.dfd.64b469@ismtpd-555>", "delivered", SUBSCRIBED, []),
    ("sendgrid", "bounce", "<14c5d75ce93.dfd.64b469@ismtpd-555>", "bounced", "bounced", ["bounced"]),
    ("sendgrid", "blocked", "<14c5d75ce93.dfd.64b469@ismtpd-555>", "sent", SUBSCRIBED, []),
    ("sendgrid", "dropped_bounced_address", "<14c5d75ce93.dfd.64b469@ismtpd-555>", "rejected", "bounced", ["bounced"]),
    ("sendgrid", "dropped_invalid", "c74002d9-7ccb-4f67-8b8c-766cec03c9a6", "rejected", "bounced", ["bounced"]),
    (
        "sendgrid",
        "dropped_unsubscribed_address",
        "a36ec0f9-aabe-45c7-9a84-3e17afb5cb65",
        "rejected",
        "unsubscribed",
        ["unsubscribed"],
    ),
    (
        "sendgrid",
        "dropped_spam_reporting_address",
        "<14c5d75ce93.dfd.64b469@ismtpd-555>",
        "rejected",
        "complained",
        ["complained"],
    ),
    ("sendgrid", "spamreport", "<14c5d75ce93.dfd.64b469@ismtpd-555>", "complained", "complained", ["complained"]),
    (
        "sendgrid",
        "unsubscribe",
        "<14c5d75ce93.dfd.64b469@ismtpd-555>",
        "unsubscribed",
        "unsubscribed",
        ["unsubscribed"],
    ),
    (
        "sendgrid",
        "group_unsubscribe",
        "<14c5d75ce93.dfd.64b469@ismtpd-555>",
        "unsubscribed",
        "unsubscribed",
        ["unsubscribed"],
    ),
    # Brevo
    ("brevo", "delivered", "<201803011158.9876543210@smtp-relay.mailin.fr>", "delivered", SUBSCRIBED, []),
    ("brevo", "hard_bounce", "<201803011158.9876543210@smtp-relay.mailin.fr>", "bounced", "bounced", ["bounced"]),
    ("brevo", "soft_bounce", "<201803011158.9876543210@smtp-relay.mailin.fr>", "sent", SUBSCRIBED, []),
    ("brevo", "invalid_email", "<201803011158.9876543210@smtp-relay.mailin.fr>", "bounced", "bounced", ["bounced"]),
    ("brevo", "blocked", "<201803011158.9876543210@smtp-relay.mailin.fr>", "rejected", "bounced", ["bounced"]),
    ("brevo", "spam", "<201803011158.9876543210@smtp-relay.mailin.fr>", "complained", "complained", ["complained"]),
    ("brevo", "complaint", "201798300811.5787683@relay.domain.com", "complained", "complained", ["complained"]),
    (
        "brevo",
        "unsubscribe",
        "<201803011158.9876543210@smtp-relay.mailin.fr>",
        "unsubscribed",
        "unsubscribed",
        ["unsubscribed"],
    ),
    # Amazon SES, through SNS
    (
        "amazon_ses",
        "delivery",
        "0000014644fe5ef6-9a483358-9170-4cb4-a269-f5dcdf415321-000000",
        "delivered",
        SUBSCRIBED,
        [],
    ),
    (
        "amazon_ses",
        "bounce_permanent",
        "00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa0680-000000",
        "bounced",
        "bounced",
        ["bounced"],
    ),
    (
        "amazon_ses",
        "bounce_transient",
        "00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa0680-000000",
        "sent",
        SUBSCRIBED,
        [],
    ),
    (
        "amazon_ses",
        "complaint",
        "000001378603177f-7a5433e7-8edb-42ae-af10-f0181f34d6ee-000000",
        "complained",
        "complained",
        ["complained"],
    ),
    ("amazon_ses", "reject", "7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000", "rejected", SUBSCRIBED, []),
]


@pytest.fixture
def webhooks(settings):
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": SECRET, "MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_KEY}


def load(provider, name):
    return json.loads((PAYLOADS / provider / f"{name}.json").read_text(encoding="utf-8"))


def mailgun_signed(payload, key=MAILGUN_KEY):
    """The payload with its signature block computed as Mailgun computes it."""
    signature = dict(payload.get("signature") or {})
    signature.setdefault("token", "1234567890abcdef1234567890abcdef")
    signature.setdefault("timestamp", str(int(float(payload["event-data"].get("timestamp", 1234567890)))))
    message = f"{signature['timestamp']}{signature['token']}".encode("ascii")
    signature["signature"] = hmac.new(key.encode("ascii"), message, hashlib.sha256).hexdigest()
    return {**payload, "signature": signature}


def post(client, provider, payload, auth=SECRET):
    headers = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(auth.encode()).decode()} if auth else {}
    content_type = "application/json"
    if provider == "mailgun":
        payload = mailgun_signed(payload)
    if provider == "amazon_ses":
        # SNS posts JSON as text/plain and names the message in its headers.
        content_type = "text/plain; charset=UTF-8"
        headers |= {"HTTP_X_AMZ_SNS_MESSAGE_ID": payload["MessageId"], "HTTP_X_AMZ_SNS_MESSAGE_TYPE": payload["Type"]}
    url = f"/webhooks/anymail/{provider}/tracking/"
    return client.post(url, json.dumps(payload), content_type=content_type, **headers)


def sent_delivery(provider_message_id):
    contact_list, (contact,) = make_list(count=1)
    message = make_message(contact_list)
    return Delivery.objects.create(
        message=message, contact=contact, status="sent", provider_message_id=provider_message_id
    )


@pytest.mark.parametrize(
    ("provider", "name", "message_id", "delivery_status", "contact_status", "consent"),
    CASES,
    ids=[f"{case[0]}-{case[1]}" for case in CASES],
)
def test_each_provider_sample_event_moves_the_delivery_and_the_contact_as_it_should(
    client, webhooks, provider, name, message_id, delivery_status, contact_status, consent
):
    delivery = sent_delivery(message_id)

    response = post(client, provider, load(provider, name))

    delivery.refresh_from_db()
    contact = Contact.objects.get(pk=delivery.contact_id)
    events = list(contact.consent_events.values_list("kind", "method", "message_id"))
    expected = [(kind, "webhook", delivery.message_id) for kind in consent]
    assert (response.status_code, delivery.status, contact.status, events) == (
        200,
        delivery_status,
        contact_status,
        expected,
    )


def test_the_sample_files_and_the_cases_match_one_to_one():
    """A payload added without its expected outcome (or the reverse) fails here."""
    files = {(path.parent.name, path.stem) for path in PAYLOADS.glob("*/*.json")}
    assert files - {("amazon_ses", "subscription_confirmation")} == {(case[0], case[1]) for case in CASES}


def test_an_unsubscribe_at_the_provider_counts_against_its_newsletter(client, webhooks):
    delivery = sent_delivery("<201803011158.9876543210@smtp-relay.mailin.fr>")
    post(client, "brevo", load("brevo", "unsubscribe"))
    assert delivery.message.stats()["unsubscribed"] == 1


def test_a_mailgun_event_with_a_wrong_signature_is_refused_and_changes_nothing(client, webhooks):
    delivery = sent_delivery("<20180812214658.1.0DF563D0B3597700@example.org>")
    forged = mailgun_signed(load("mailgun", "failed_permanent"), key="not-the-key")
    response = client.post(
        "/webhooks/anymail/mailgun/tracking/",
        json.dumps(forged),
        content_type="application/json",
        HTTP_AUTHORIZATION="Basic " + base64.b64encode(SECRET.encode()).decode(),
    )
    delivery.refresh_from_db()
    assert (response.status_code, delivery.status) == (400, "sent")


# --- Amazon SES: the SNS handshake -------------------------------------------------------


class FakeRaw:
    def __init__(self, body):
        self.body = body

    def stream(self, **kwargs):
        yield self.body


CONFIRMED = b"""<ConfirmSubscriptionResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
<ConfirmSubscriptionResult><SubscriptionArn>arn:aws:sns:us-west-2:123456789012:MyTopic:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55</SubscriptionArn></ConfirmSubscriptionResult>
<ResponseMetadata><RequestId>1469e8d7-1642-564e-b85d-a19b4b341f83</RequestId></ResponseMetadata>
</ConfirmSubscriptionResponse>"""

REFUSED = b"""<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
<Error><Type>Sender</Type><Code>InvalidParameter</Code><Message>Invalid token</Message></Error>
<RequestId>1469e8d7-1642-564e-b85d-a19b4b341f84</RequestId></ErrorResponse>"""


@pytest.fixture
def aws(monkeypatch, tmp_path):
    """AWS credentials as an installation provides them (environment), and no other source."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def outbound(status, body):
    """Replaces only botocore's HTTP send; records every request it would have made."""
    sent = []

    def send(self, request):
        sent.append(request)
        return AWSResponse(request.url, status, {"Content-Type": "text/xml"}, FakeRaw(body))

    return sent, mock.patch.object(URLLib3Session, "send", send)


def test_the_sns_subscription_is_confirmed_with_the_topic_and_token_of_its_subscribe_url(client, webhooks, aws):
    confirmation = load("amazon_ses", "subscription_confirmation")
    sent, patch = outbound(200, CONFIRMED)
    with patch:
        response = post(client, "amazon_ses", confirmation)

    subscribe = urlsplit(confirmation["SubscribeURL"])
    (request,) = sent
    called = urlsplit(request.url)
    body = request.body.decode() if isinstance(request.body, bytes) else request.body
    params = dict(parse_qsl(body))
    assert (response.status_code, request.method, called.scheme, called.netloc, params) == (
        200,
        "POST",
        subscribe.scheme,
        subscribe.netloc,
        {**dict(parse_qsl(subscribe.query)), "AuthenticateOnUnsubscribe": "true", "Version": "2010-03-31"},
    )


def test_a_subscription_aws_refuses_answers_502_not_500(client, webhooks, aws):
    sent, patch = outbound(400, REFUSED)
    with patch:
        response = post(client, "amazon_ses", load("amazon_ses", "subscription_confirmation"))
    assert (response.status_code, len(sent)) == (502, 1)


def test_sns_is_asked_for_the_secret_first_as_it_requires(client, webhooks):
    """SNS sends basic auth only after a 401 with WWW-Authenticate."""
    response = post(client, "amazon_ses", load("amazon_ses", "delivery"), auth=None)
    assert (response.status_code, response["WWW-Authenticate"].startswith("Basic")) == (401, True)


def test_a_malformed_sns_message_gets_400_not_500(client, webhooks):
    broken = {**load("amazon_ses", "delivery"), "Message": "{not json"}
    assert post(client, "amazon_ses", broken).status_code == 400


def test_no_consent_event_is_recorded_for_an_event_about_an_unknown_message(client, webhooks):
    sent_delivery("some-other-message")
    post(client, "postmark", load("postmark", "subscription_change_unsubscribe"))
    assert ConsentEvent.objects.count() == 0
