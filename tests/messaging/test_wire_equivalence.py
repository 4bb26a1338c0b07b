"""The newsletter as the SMTP fast path writes it (messaging/wire.py: flattened once per
language, filled per recipient) against the same recipient's `emails.build` message, as
Django's SMTP backend flattens it: parsed, every header (as folded) and every part (its
headers and decoded body) must be the same."""

import dataclasses
import smtplib
from datetime import UTC, datetime
from email import message_from_bytes
from unittest import mock

import pytest

from messaging import emails, tokens, wire

pytestmark = pytest.mark.django_db

SUBJECT_AR = "نشرة حملة المناصرة لشهر تشرين الأول {{ first_name }}: لقاءات وتوزيع منشورات وتضامن مع المعتقلين في حلب"
SUBJECT_EN = "Campaign news for {{ first_name }} {{ last_name }}: meetings, flyers and solidarity with detainees"
BODY_AR = (
    "مرحبا {{ first_name }} {{ last_name }}!\n\n**شكرا** لك.\n\n"
    "[إلغاء الاشتراك]({{ unsubscribe_url }}) · [تفضيلاتك]({{ preferences_url }})"
)
BODY_EN = "Hello {{ first_name }},\n\nA line in English, then {{ last_name }}.\n\n[Unsubscribe]({{ unsubscribe_url }})"
LONG_NAME = "سلمى" * 300  # 2,400 bytes: pushes its line past 998, so Django writes quoted-printable

# (address, given name, family name, contact id)
RECIPIENTS = [
    ("salma@example.org", "سلمى", "الحلبي", 11),
    ("first.last+news@Example.ORG", "\u202eأحمد\u202c", "O'Brien & <Co>", 12),  # bidi override, HTML specials
    ("sam@example.org", "Sam", "", 13),
    ("line@example.org", "Two\nlines", "tab\there", 14),
    ("long@example.org", LONG_NAME, "x", 15),
    ('"quoted local"@example.org', "Quoted", "Local", 16),
    ("user@bücher.example", "Idn", "Domain", 17),
]
# Those the fast path gives back to the ordinary one: a line past 998 bytes, an address
# Django would rewrite.
ORDINARY = {"long@example.org", '"quoted local"@example.org', "user@bücher.example"}


@pytest.fixture
def production_like(settings):
    settings.SITE_URL = "https://hamla.example.org"
    settings.DEFAULT_FROM_EMAIL = "حملة المناصرة من أجل المعتقلين والمفقودين <news@hamla.example.org>"
    settings.TIME_ZONE = "America/New_York"
    return settings


def values_for(contact_id, given, family, message_id=7):
    token = tokens.make(contact_id, message_id)
    return {
        "first_name": given,
        "last_name": family,
        "unsubscribe_url": tokens.unsubscribe_url(token),
        "preferences_url": tokens.preferences_url(token),
    }


def summary(data):
    """A message's headers (name, folded value) and, for each part, its headers and its
    decoded body."""
    parsed = message_from_bytes(data)
    parts = [
        (sorted(part.items()), part.get_payload(decode=True).decode(part.get_content_charset()))
        for part in parsed.get_payload()
    ]
    headers = [(name, value) for name, value in parsed.items() if name != "Content-Type"]
    return headers, parsed.get_content_type(), parts


def both_ways(prepared, address, values):
    """(fast path's summary or "ordinary", the ordinary path's summary)."""
    rendered = wire.Template(prepared).render(address, values)
    msgid = rendered.message_id if rendered else "<fixed@hamla.example.org>"
    email = emails.build(
        prepared, address, values, {"Message-ID": msgid, **emails.unsubscribe_headers(values["unsubscribe_url"])}
    )
    ordinary = summary(email.message().as_bytes(linesep="\r\n"))
    return (summary(rendered.data) if rendered else "ordinary"), ordinary


def test_the_fast_path_writes_what_the_ordinary_path_writes(production_like):
    prepared = {
        "ar": emails.prepare(SUBJECT_AR, BODY_AR, "ar", "حملة الحرية"),
        "en": emails.prepare(SUBJECT_EN, BODY_EN, "en", "Freedom campaign"),
    }
    # An all-ASCII version: Django marks a part 7bit when the recipient's values keep it ASCII.
    prepared["ascii"] = dataclasses.replace(
        prepared["en"],
        text="Hi \ue000first_name\ue001\n",
        html='<p>Hi \ue000first_name\ue001 <a href="\ue000unsubscribe_url\ue001">stop</a></p>\n',
        from_email="News <news@hamla.example.org>",
    )
    fast, ordinary, took_ordinary = {}, {}, set()
    frozen = datetime(2026, 3, 29, 6, 59, 59, tzinfo=UTC)  # an hour before New York's clocks change
    with mock.patch("django.utils.timezone.now", return_value=frozen):
        for language, version in prepared.items():
            for address, given, family, contact_id in RECIPIENTS:
                key = (language, address)
                fast[key], ordinary[key] = both_ways(version, address, values_for(contact_id, given, family))
                if fast[key] == "ordinary":
                    took_ordinary.add(address)
                    fast[key] = ordinary[key]
    assert fast == ordinary
    assert took_ordinary == ORDINARY


def test_a_remembered_fold_is_the_generators_fold():
    """wire.Folder reuses the fold of a value with no folding point for any value of its
    length, and a Date while it repeats: the same lines as the generator's policy."""
    values = [
        *("<" + "a1_-.:/=?" * n + ">" for n in range(12)),
        *("x" * n for n in (1, 57, 58, 59, 60, 61, 76, 77, 78, 79, 200, 997, 998, 999)),
        "Sun, 29 Mar 2026 02:59:59 -0400",
        "<https://hamla.example.org/u/15-7:abc/>, <mailto:out@hamla.example.org?subject=unsubscribe>",
        "a;b,c d\te",
    ]
    names = ["To", "Date", "Message-ID", "List-Unsubscribe", "X-" + "Long" * 20]
    folder = wire.Folder()
    remembered = {(name, value): [folder.fold(name, value) for _ in range(2)] for name in names for value in values}
    generator = {(name, value): [wire._POLICY.fold_binary(name, value)] * 2 for name in names for value in values}
    assert remembered == generator


class Scripted(smtplib.SMTP):
    """An SMTP client talking to no one: records its commands, answers from a script."""

    def __init__(self, replies):
        super().__init__()
        self.replies, self.said = dict(replies), []
        self.does_esmtp, self.esmtp_features, self.ehlo_resp = True, {"size": "10240000"}, b"ok"

    def putcmd(self, cmd, args=""):
        self.said.append(f"{cmd} {args}")

    def getreply(self):
        return self.replies.get(self.said[-1].split()[0], (250, b"ok"))

    def data(self, msg):
        self.said.append(f"data {len(msg)}")
        return self.replies.get("data", (250, b"ok"))

    def close(self):
        self.said.append("close")


@pytest.mark.parametrize(
    "replies",
    [
        {},
        {"rcpt": (550, b"no such user")},
        {"rcpt": (451, b"later")},
        {"mail": (421, b"bye")},
        {"data": (554, b"spam")},
    ],
)
def test_the_fast_sendmail_says_and_raises_what_smtplib_would(production_like, replies):
    template = wire.Template(emails.prepare(SUBJECT_EN, BODY_EN, "en"))
    rendered = template.render("first.last+news@Example.ORG", values_for(12, "Sam", ""))
    outcomes = []
    for send in (
        lambda smtp: smtp.sendmail(rendered.envelope_from, [rendered.to], rendered.data),
        lambda smtp: wire.sendmail(smtp, rendered),
    ):
        smtp = Scripted(replies)
        try:
            send(smtp)
            raised = None
        except smtplib.SMTPException as exc:
            raised = (type(exc), exc.args)
        outcomes.append((smtp.said, raised))
    assert outcomes[0] == outcomes[1]
