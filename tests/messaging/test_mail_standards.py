"""The newsletter (Arabic and English) and the signup confirmation, as the bytes the SMTP
backend would send, against the mail standards: RFC 2047 (encoded-words at most 75
characters, their lines at most 76), RFC 5322 (Date with the real offset, Message-ID, no
line over 998), RFC 2369 / RFC 8058 (https one-click unsubscribe), MIME (a text/plain and
text/html alternative in UTF-8). Parsed with Python's strict policy: any defect fails."""

import re
from email import policy
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import checks, mail
from django.utils import translation
from django.utils.translation import gettext

from contacts.emails import send_confirmation
from messaging import dispatch

from ..contacts.helpers import make_contact
from .helpers import make_list, make_message

pytestmark = pytest.mark.django_db

HTTPS_CHECK_ID = "messaging.E001"
ZONE = "America/New_York"  # not the default zone, and one with daylight saving time
SENDER_DOMAIN = "hamla.example.org"
SUBJECT_AR = "نشرة حملة المناصرة لشهر تشرين الأول: لقاءات وتوزيع منشورات وتضامن مع المعتقلين في حلب وإدلب ودمشق 🕊️"
SUBJECT_EN = "Campaign news for October: meetings, flyers and solidarity with detainees in Aleppo, Idlib and Damascus"
ENCODED_WORD = re.compile(rb"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")


@pytest.fixture
def production_like(settings):
    settings.DEBUG = False
    settings.SITE_URL = f"https://{SENDER_DOMAIN}"
    settings.DEFAULT_FROM_EMAIL = f"حملة المناصرة من أجل المعتقلين والمفقودين <news@{SENDER_DOMAIN}>"
    settings.TIME_ZONE = ZONE
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return settings


def wire(email):
    """One message as Django's SMTP backend puts it on the wire."""
    return email.message().as_bytes(linesep="\r\n")


def newsletters():
    contact_list, _ = make_list(count=1, language="ar")
    _, english = make_list(count=1, language="en", start=1)
    english[0].lists.add(contact_list)
    message = make_message(contact_list, subject_ar=SUBJECT_AR, subject_en=SUBJECT_EN)
    message.schedule()
    message.start()
    assert dispatch.send_batch(message.pk, "standards")["sent"] == 2
    by_address = {email.to[0]: email for email in mail.outbox}
    return {"newsletter-ar": by_address["person0@example.org"], "newsletter-en": by_address["person1@example.org"]}


def confirmation():
    send_confirmation(make_contact(email="new.person@example.org"), "a-token", language="ar")
    return mail.outbox[-1]


@pytest.fixture
def sent(production_like):
    """Each mail's raw bytes and its strict parse."""
    mails = {**newsletters(), "confirmation": confirmation()}
    raw = {name: wire(email) for name, email in mails.items()}
    return {name: (data, BytesParser(policy=policy.strict).parsebytes(data)) for name, data in raw.items()}


def header_block(data):
    return data.split(b"\r\n\r\n", 1)[0].split(b"\r\n")


def test_every_encoded_word_is_75_characters_at_most_and_its_line_76(sent):
    lines = [line for data, _ in sent.values() for line in header_block(data) if ENCODED_WORD.search(line)]
    too_long = [line for line in lines if len(line) > 76 or any(len(w) > 75 for w in ENCODED_WORD.findall(line))]
    assert lines and too_long == []


def test_subjects_decode_to_the_text_written(sent):
    with translation.override("ar"):
        confirm = gettext("Please confirm your subscription")
    subjects = {name: parsed["Subject"] for name, (_, parsed) in sent.items()}
    assert subjects == {"newsletter-ar": SUBJECT_AR, "newsletter-en": SUBJECT_EN, "confirmation": confirm}


def test_the_date_carries_the_configured_time_zones_offset(sent):
    dates = {name: parsedate_to_datetime(parsed["Date"]) for name, (_, parsed) in sent.items()}
    assert {name: date.utcoffset() for name, date in dates.items()} == {
        name: ZoneInfo(ZONE).utcoffset(date.replace(tzinfo=None)) for name, date in dates.items()
    }


def test_the_message_id_is_on_the_senders_domain(sent):
    domains = {name: parsed["Message-ID"].strip("<>").rsplit("@", 1)[1] for name, (_, parsed) in sent.items()}
    assert domains == dict.fromkeys(sent, SENDER_DOMAIN)


def test_newsletters_carry_https_one_click_unsubscribe(sent):
    headers = {
        name: (
            re.fullmatch(r"<https://[^>\s]+>", str(parsed["List-Unsubscribe"]).strip()) is not None,
            parsed["List-Unsubscribe-Post"],
        )
        for name, (_, parsed) in sent.items()
        if name.startswith("newsletter")
    }
    assert headers == dict.fromkeys(["newsletter-ar", "newsletter-en"], (True, "List-Unsubscribe=One-Click"))


def test_each_mail_is_a_utf8_text_and_html_alternative(sent):
    shapes = {
        name: (
            parsed.get_content_type(),
            [(part.get_content_type(), part.get_content_charset()) for part in parsed.iter_parts()],
        )
        for name, (_, parsed) in sent.items()
    }
    assert shapes == dict.fromkeys(sent, ("multipart/alternative", [("text/plain", "utf-8"), ("text/html", "utf-8")]))


def test_no_line_is_over_998_characters(sent):
    assert [name for name, (data, _) in sent.items() if any(len(line) > 998 for line in data.split(b"\r\n"))] == []


def test_the_sender_name_decodes_to_the_configured_one(sent):
    names = {name: parsed["From"].addresses[0].display_name.split() for name, (_, parsed) in sent.items()}
    assert names == dict.fromkeys(sent, "حملة المناصرة من أجل المعتقلين والمفقودين".split())


def deploy_check_ids(settings, debug, site_url):
    settings.DEBUG, settings.SITE_URL = debug, site_url
    return {error.id for error in checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.security])}


def test_check_deploy_refuses_a_production_site_url_that_is_not_https(settings):
    assert HTTPS_CHECK_ID in deploy_check_ids(settings, False, "http://hamla.example.org")


def test_an_https_site_url_or_development_passes_the_https_check(settings):
    found = deploy_check_ids(settings, False, "https://hamla.example.org") | deploy_check_ids(
        settings, True, "http://127.0.0.1:8000"
    )
    assert HTTPS_CHECK_ID not in found
