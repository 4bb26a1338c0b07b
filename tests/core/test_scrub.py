"""core.scrub: no email address survives in an error text, in any form mail libraries quote it.

The texts are produced by the libraries themselves (Python's email package through
Django's sanitize_address, anymail's address parser, smtplib's exceptions), not copied,
so a library that changes its wording still gets tested."""

import re
import smtplib

import pytest
from anymail.exceptions import AnymailAPIError, AnymailInvalidAddress, AnymailRecipientsRefused
from anymail.utils import EmailAddress, parse_address_list, parse_single_address
from django.core.mail.message import sanitize_address

from core.scrub import scrub, scrub_exception

# Addresses a lax validator lets through and the mail parsers quote back (issue 11).
PLANTED = [
    "qwx[y]@example.com",
    "zaid)@example.com",
    "salma(@example.com",
    "kamal,b@example.com",
    "rima;k@example.com",
    "omar..h@example.com",
    "huda.@example.com",
    "fadi@y@example.com",
    "sami@example.com.",
    "wael a@example.com",
]


def fragments(address):
    """The pieces of `address` that must not survive: the whole, its local part, and the
    name at its start ('only zaid could be parsed' names a piece of the address)."""
    local = address.rsplit("@", 1)[0]
    return {address, local, re.match(r"[a-z]+", local).group(0), "example.com"}


def library_errors(address):
    """Every error text Django's and anymail's address handling give for `address`."""
    texts = []
    for attempt in (
        lambda: sanitize_address(address, "utf-8"),
        lambda: sanitize_address(("نور الحداد", address), "utf-8"),
        lambda: parse_single_address(address, field="to"),
        lambda: parse_address_list([address, "other@example.org"], field="to"),
        lambda: EmailAddress(display_name="Nour Haddad", addr_spec=address),
    ):
        try:
            attempt()
        except (ValueError, AnymailInvalidAddress) as exc:
            texts.append(scrub_exception(exc))
            texts.append(scrub(repr(exc)))
    return texts


@pytest.mark.parametrize("address", PLANTED)
def test_no_piece_of_an_address_survives_in_what_django_and_anymail_say_about_it(address):
    texts = library_errors(address)
    leaks = [(text, piece) for text in texts for piece in fragments(address) if piece.lower() in text.lower()]
    assert texts and leaks == []


def test_the_issue_examples_are_reported_without_the_address_but_with_the_reason():
    try:
        sanitize_address("x[y]@example.com", "utf-8")
    except ValueError as exc:
        django_text = scrub_exception(exc)
    try:
        parse_single_address("ali)@example.com", field="to")
    except AnymailInvalidAddress as exc:
        anymail_text = scrub_exception(exc)
    assert (django_text, anymail_text.splitlines()[0]) == (
        "ValueError: Invalid address; only <address> could be parsed from <address>",
        "AnymailInvalidAddress: Invalid email address <address> in `to` parsed from <address>",
    )


def test_more_than_one_address_where_one_is_allowed_names_neither():
    with pytest.raises(AnymailInvalidAddress) as refused:
        parse_single_address("zaid@example.com, 'Salma Haddad'<salma@example.com>", field="to")
    text = scrub_exception(refused.value)
    assert ("zaid" in text, "Salma" in text, "Only one email address is allowed" in text) == (False, False, True)


def test_smtp_refusals_keep_their_codes_and_lose_their_addresses():
    refused = smtplib.SMTPRecipientsRefused(
        {"x[y]@example.com": (550, b"5.1.1 <x[y]@example.com>: Recipient address rejected: User unknown")}
    )
    sender = smtplib.SMTPSenderRefused(553, b"5.7.1 <hamla@example.org>: Sender address rejected", "hamla@example.org")
    texts = [scrub_exception(refused), scrub_exception(sender)]
    assert ("x[y]" in " ".join(texts), "hamla@" in " ".join(texts), "550" in texts[0], "553" in texts[1]) == (
        False,
        False,
        True,
        True,
    )


def test_a_provider_response_quoting_the_recipient_and_its_name_names_neither():
    class Response:
        status_code, reason = 422, "Unprocessable Entity"
        text = '{"ErrorCode": 300, "Message": "Invalid \'To\' address: \'Nour Haddad <ali)@example.com>\'."}'

        def json(self):
            import json

            return json.loads(self.text)

    error = AnymailAPIError("Postmark API response 422", status_code=422, response=Response(), esp_name="Postmark")
    text = scrub_exception(error)
    assert ("ali" in text, "Nour" in text, "422" in text) == (False, False, True)


def test_recipients_refused_with_a_provider_response_names_nobody():
    class Response:
        status_code, reason, text = 200, "OK", '{"rejected": ["zaid)@example.com", "x[y]@example.com"]}'

        def json(self):
            import json

            return json.loads(self.text)

    error = AnymailRecipientsRefused(status_code=200, response=Response(), esp_name="Test")
    text = scrub_exception(error)
    assert ("zaid" in text, "x[y]" in text, "rejected or invalid" in text) == (False, False, True)


def test_encoded_word_display_names_and_local_parts_are_removed():
    formatted = sanitize_address(("سلمى الحداد", "سلمى@example.com"), "utf-8")
    text = scrub(f"550 mailbox unavailable: {formatted}")
    assert ("=?utf-8?" in text, "example.com" in text, text.startswith("550 mailbox unavailable: ")) == (
        False,
        False,
        True,
    )


@pytest.mark.parametrize(
    "text",
    [
        "refused: ali@example.com",
        "refused: <ali@example.com>",
        'refused: "ali haddad"@example.com',
        "refused: ali%40example.com",
        "refused: mailto:ali@example.com",
        "refused: (ali@example.com)",
        "refused: ali＠example.com",  # noqa: RUF001
        "refused: b'5.1.1 <ali@example.com> unknown'",
    ],
)
def test_every_plain_form_of_an_address_is_removed(text):
    assert "ali" not in scrub(text)


def test_a_text_without_addresses_is_left_as_it_was():
    text = "SMTP 451 b'4.3.0 Try again later' (connection: TimeoutError)"
    assert scrub(text) == text


def test_the_cut_comes_after_scrubbing_so_no_half_address_is_left():
    text = "x" * 240 + " parsed from 'x[y]@example.com'"
    assert scrub(text, limit=255) == "x" * 240 + " parsed from <a"
