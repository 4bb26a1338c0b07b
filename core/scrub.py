"""Scrubbing email addresses out of error texts before they are stored or logged.

Mail libraries and servers like to quote the recipient when they refuse it, in many
forms: plain (``ali@example.com``), in angle brackets (``<ali@example.com>``), with a
quoted local part (``"ali haddad"@example.com``), as a Python repr in Django's
``Invalid address; only ali could be parsed from "ali)@example.com"`` or anymail's
``Invalid email address 'ali' display_name='…' in `to` parsed from 'ali)@example.com'``,
in a provider's JSON response, with an RFC 2047 encoded-word display name
(``=?utf-8?b?2LPZhNmF2Yk=?= <s@example.com>``), or half-parsed, where only the part
before a bad character is quoted (``only x could be parsed``).

``scrub`` removes all of these, so that an error stored in the database (or written to
a log) names nobody. It errs on the side of removing too much: any quoted string or
whitespace-free run that contains an ``@`` goes, whatever it was.
"""

import re

ADDRESS = "<address>"
NAME = "<name>"

# A string quoted with " or ' on one line, backslash escapes allowed (Python reprs, JSON).
_QUOTED = r"""(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')"""
_AT = r"(?:@|%40|＠)"  # noqa: RUF001 - the fullwidth at sign is one of the forms

_STEPS = (
    # Django formats these with %s between double quotes (not a repr), so an address
    # holding a quote is not closed by the first one: take the line to its last quote.
    # 'Invalid address; only x could be parsed from "x[y]@example.com"' (the part that
    # could be parsed is a piece of the address, even without an at sign)…
    (re.compile(r'\bonly\b.*\bcould be parsed from\s*".*"'), f"only {ADDRESS} could be parsed from {ADDRESS}"),
    (re.compile(r"\bonly\b.*?\bcould be parsed\b"), f"only {ADDRESS} could be parsed"),
    # …'Invalid address "x@y@example.com"'; and anymail's "found 2 in 'a@b, c <d@e>'".
    (re.compile(r'\b(Invalid address\s*)".*"'), rf"\1{ADDRESS}"),
    (re.compile(r"\b(found \d+ in\s*)'.*'"), rf"\1{ADDRESS}"),
    # Markers followed by a repr of an address or a piece of one, whatever it contains:
    # anymail's "Invalid email address 'x'", "display_name='…'", "parsed from '…'".
    (
        re.compile(r"(\b(?:parsed from|invalid email address(?:es)?|display_name=)\s*)" + _QUOTED, re.IGNORECASE),
        rf"\1{ADDRESS}",
    ),
    # A quoted local part with its domain: "ali haddad"@example.com.
    (re.compile(_QUOTED + r"\s*" + _AT + r"[^\s<>,;'\"()]*"), ADDRESS),
    # Any quoted string holding an at sign (reprs, JSON values, b'…' server replies):
    # the whole string goes, since a display name may stand next to the address.
    (re.compile(r"(?:\bb)?(?:\"(?:[^\"\\\n]|\\.)*" + _AT + r"(?:[^\"\\\n]|\\.)*\")"), ADDRESS),
    (re.compile(r"(?:\bb)?(?:'(?:[^'\\\n]|\\.)*" + _AT + r"(?:[^'\\\n]|\\.)*')"), ADDRESS),
    # Angle brackets around an address: <ali@example.com>.
    (re.compile(r"<[^<>\n]*" + _AT + r"[^<>\n]*>"), ADDRESS),
    # RFC 2047 encoded words (display names, non-ASCII local parts): =?utf-8?b?…?=
    (re.compile(r"=\?[\w.-]+\?[bBqQ]\?[^?\s]*\?="), NAME),
    # Whatever is left around an at sign, up to whitespace: plain addresses, and those
    # with characters no address pattern expects (x[y]@example.com, ali)@example.com).
    (re.compile(r"[^\s]*" + _AT + r"[^\s]*"), ADDRESS),
)


def scrub(text, limit=None):
    """`text` (any object: an exception, a lazy string, bytes) with every email address
    replaced by ``<address>`` and encoded-word names by ``<name>``; cut to `limit`
    characters after scrubbing, so a cut can never leave half an address behind."""
    if text is None:
        return ""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = str(text)
    for pattern, replacement in _STEPS:
        text = pattern.sub(replacement, text)
    return text[:limit] if limit is not None else text


def scrub_exception(exc, limit=None):
    """``ClassName: message`` of an exception, scrubbed (see scrub)."""
    return scrub(f"{exc.__class__.__name__}: {exc}", limit=limit)
