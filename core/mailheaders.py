"""Mail headers by the standards, for every mail Hamla sends (`StandardEmail`).

Django encodes a non-ASCII header with `email.header.Header(value, "utf-8").encode()`,
which, given no header name, fills encoded-words up to 76 characters; the generator then
folds them as plain text. RFC 2047 §2 allows an encoded-word 75 characters at most, and a
line holding encoded-words 76 at most, header name included. So the Subject and the
sender's display name are encoded here instead: base64 ("B") encoded-words, each of
whole characters (never half of a UTF-8 sequence) and at most 75 characters, folded so
that no line passes 76. Plain ASCII that cannot be mistaken for an encoded-word stays as
it is, folded at its spaces.

`StandardEmail` also dates the message in the configured TIME_ZONE (Django writes
`-0000` unless EMAIL_USE_LOCALTIME) and gives it a Message-ID on the sender's own domain
(Django uses the machine's name, often `localhost`).
"""

import base64
import functools
import re
from email.headerregistry import Address
from email.utils import format_datetime, formataddr, make_msgid

from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import parser
from django.utils import timezone
from django.utils.encoding import punycode

MAX_WORD = 75  # RFC 2047 §2: an encoded-word is at most 75 characters
MAX_LINE = 76  # RFC 2047 §2: a line holding an encoded-word is at most 76
PREFIX, SUFFIX = "=?utf-8?b?", "?="
_PLAIN = re.compile(r"[\x20-\x7e]*")
_SEGMENTS = re.compile(r"[ ]*[^ ]+|[ ]+$")


def _word_length(size):
    """Length of the encoded-word carrying `size` bytes."""
    return len(PREFIX) + 4 * -(-size // 3) + len(SUFFIX)


def encoded_words(text, first=MAX_WORD):
    """`text` as encoded-words of whole characters; the first at most `first` long, the
    others at most MAX_WORD. A word ends after a space where it can, so that even a reader
    that keeps the whitespace between encoded-words (as Python's display-name parser
    does) does not cut a word in two."""
    chunks, chunk, room = [], [], first
    size = 0  # UTF-8 bytes in chunk, kept as it grows (a subject is written per recipient)
    at_space = None  # (characters, bytes) of chunk up to and including its last space
    for char in text:
        width = 1 if char < "\x80" else 2 if char < "\u0800" else 3 if char < "\U00010000" else 4  # UTF-8 bytes
        if chunk and _word_length(size + width) > room:
            cut, cut_size = at_space or (len(chunk), size)
            if _word_length(size - cut_size + width) > MAX_WORD:
                cut, cut_size = len(chunk), size
            chunks.append(chunk[:cut])
            chunk, size, room, at_space = chunk[cut:], size - cut_size, MAX_WORD, None
        chunk.append(char)
        size += width
        if char == " ":
            at_space = (len(chunk), size)
    if chunk:
        chunks.append(chunk)
    return [PREFIX + base64.b64encode("".join(c).encode()).decode("ascii") + SUFFIX for c in chunks]


def _is_plain(text):
    """Printable ASCII that no reader would decode as an encoded-word."""
    return _PLAIN.fullmatch(text) is not None and "=?" not in text


def _fold(tokens, used):
    """Join `tokens` (each after the first starting with a space) into lines that fit
    MAX_LINE, the first line already holding `used` characters."""
    lines = [""]
    for token in tokens:
        limit = MAX_LINE - (used if len(lines) == 1 else 0)
        if lines[-1] and len(lines[-1]) + len(token) > limit:
            lines.append("")
        lines[-1] += token
    return lines


def fold(name, value):
    """The lines of header `name` carrying `value` (the first line without "Name: "),
    by RFC 2047 and RFC 5322: plain where it may be, encoded-words where it must."""
    value = str(value)
    if "\r" in value or "\n" in value:
        raise ValueError("a header value is one line")
    used = len(name) + 2
    if _is_plain(value) and all(len(s) + used <= 998 for s in _SEGMENTS.findall(value)):
        return _fold(_SEGMENTS.findall(value) or [""], used)
    first = min(MAX_WORD, MAX_LINE - used)
    words = encoded_words(value, first if first >= _word_length(4) else MAX_WORD)
    lines = _fold([words[0], *(" " + word for word in words[1:])], used) if words else [""]
    if first < _word_length(4):  # a header name too long to share a line with a word
        lines.insert(0, "")
    return lines


def fold_address(name, display_name, address):
    """The lines of an address header naming one mailbox with a display name."""
    if not display_name or _is_plain(display_name):
        return fold(name, formataddr((display_name, address)))
    used = len(name) + 2
    words = encoded_words(display_name, min(MAX_WORD, MAX_LINE - used))
    return _fold([words[0], *(" " + word for word in words[1:]), f" <{address}>"], used)


class Folded:
    """A header value already folded: the (compat32) generator writes its lines as they
    are, where a string would be folded again by its own rules."""

    def __init__(self, lines):
        self.lines = lines

    def encode(self, linesep="\n", maxlinelen=None, **kwargs):
        return linesep.join(self.lines)

    def __str__(self):
        return " ".join(line.strip() for line in self.lines)


@functools.lru_cache(maxsize=64)  # parsing the address is most of a Message-ID's cost
def sender_domain(address):
    """The domain of an address ("Name <user@example.org>" or "user@example.org"), in
    ASCII (IDNA) form."""
    mailbox, _rest = parser.get_mailbox(str(address))
    return punycode(mailbox.domain or "localhost")


def message_id(from_email):
    """A new Message-ID on the sender's domain."""
    return make_msgid(domain=sender_domain(from_email))


def local_date():
    """Now, as an RFC 5322 date with the configured time zone's offset."""
    return format_datetime(timezone.localtime(timezone.now(), timezone.get_default_timezone()))


class StandardEmail(EmailMultiAlternatives):
    """Django's EmailMultiAlternatives with the Subject and the sender's name encoded by
    RFC 2047's limits, the Date in TIME_ZONE and the Message-ID on the sender's domain."""

    def message(self):
        msg = super().message()  # Django's checks (no line breaks in headers) still apply
        given = {name.lower() for name in self.extra_headers}
        msg.replace_header("Subject", Folded(fold("Subject", self.subject)))
        sender = self.extra_headers.get("From", self.from_email)
        mailbox, _rest = parser.get_mailbox(str(sender))
        if mailbox.local_part.isascii():
            address = Address(username=mailbox.local_part, domain=punycode(mailbox.domain or "")).addr_spec
            msg.replace_header("From", Folded(fold_address("From", mailbox.display_name or "", address)))
        if "date" not in given:
            msg.replace_header("Date", local_date())
        if "message-id" not in given:
            msg.replace_header("Message-ID", message_id(sender))
        return msg
