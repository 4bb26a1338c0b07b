"""Whether an email address can be mailed: one rule for the importer and signup.

An address is mailable when the mail machinery that will send to it takes it as
exactly that one address: Django's ``sanitize_address`` (what the SMTP backend and
``EmailMessage`` apply, over Python's email header parser) and anymail's address
parser (what every provider backend applies). A laxer check lets through addresses
such as ``x[y]@example.com`` or ``ali)@example.com`` that every send then refuses,
quoting the address in its error.
"""

import re

from anymail.exceptions import AnymailInvalidAddress
from anymail.utils import parse_single_address
from django.core.mail.message import sanitize_address

MAX_LENGTH = 254  # RFC 5321's limit on a forward path, less the angle brackets
# Nearly every address is a plain dot-atom at a plain host name, which both parsers take
# as exactly itself. Asking them costs ~85 µs an address, which alone would cap a
# 100k-row import below its 10,000 rows/s target; the full check is for the rest.
# tests/core/test_addresses.py checks that the parsers agree with every fast answer.
_PLAIN = re.compile(
    r"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
)


def is_mailable(address):
    """True when `address` (a bare addr-spec, no display name) is sent to as exactly
    itself by both Django's mail machinery and anymail."""
    if not address or len(address) > MAX_LENGTH:
        return False
    if _PLAIN.fullmatch(address):
        return True
    return parsers_take_exactly(address)


def parsers_take_exactly(address):
    """The full check: Django's and anymail's parsers both read `address` as itself."""
    if any(c.isspace() or not c.isprintable() for c in address):
        return False
    if "@" not in address or not address.rsplit("@", 1)[1]:
        return False
    try:
        sanitize_address(address, "utf-8")
        parsed = parse_single_address(address)
    except (ValueError, IndexError, AnymailInvalidAddress):
        return False
    # Nothing dropped (a comment, a stray bracket) and nothing taken for a display name.
    return not parsed.display_name and parsed.addr_spec == address
