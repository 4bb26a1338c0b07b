"""Newsletter mail flattened once per language and filled per recipient, for Django's SMTP
backend (the rate a send reaches is mostly the cost of building each MIME message).

`emails.build()` makes a `StandardEmail` per recipient, which Python's email package then
builds and flattens: about 1.5 ms a message, more than the SMTP exchange itself. Only a
few things differ between two recipients of one language version: the Subject (a merge
field may be in it), To, Date, Message-ID, List-Unsubscribe, and the merge fields in the
two bodies. So a `Template` is the same `StandardEmail` flattened once, with markers where
the merge fields go, cut into literal byte runs and slots:

* the bodies are 8bit (Django writes UTF-8 text as it is when no line passes 998 bytes),
  so a value goes in as its UTF-8 bytes, HTML-escaped in the HTML part as `compose.fill`
  does; values are one line (`emails.one_line`), so they cannot add a line either;
* the headers that differ are written per recipient by the same functions and the same
  (compat32) folding the generator uses; the others are copied from the flattened template.

Where a recipient's values would make Django choose differently — a body line pushed past
998 bytes (quoted-printable), a part that becomes pure ASCII (7bit), an address or header
that needs encoding, a value holding the multipart boundary — `render` returns None and
the caller builds that recipient's message the ordinary way. `tests/messaging/
test_wire_equivalence.py` compares both ways, parsed, for Arabic and English recipients.

Other backends (anymail's providers, the outbox, locmem) always take the ordinary path:
`Wire.for_connection` only accepts Django's own SMTP backend, and sends on its smtplib
connection what its `_send` would: `sendmail` below says and raises what smtplib's does.
"""

import email.policy
import html
import re
import smtplib
from email.generator import Generator
from typing import NamedTuple

from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import RFC5322_EMAIL_LINE_LENGTH_LIMIT, sanitize_address

from core.mailheaders import Folded, StandardEmail, fold, local_date, message_id

from . import compose, emails

# Markers for the template's merge fields: the text part's as compose writes them, the HTML
# part's with another closing character, since its values are escaped.
TEXT_MARK, HTML_MARK = "\ue001", "\ue002"
_SLOT_RE = re.compile("\ue000([a-z_]+)([\ue001\ue002])")
# The headers written per recipient; every other one is the template's, byte for byte.
VARYING = ("subject", "to", "date", "message-id", "list-unsubscribe")
# An address Django's sanitize_address returns unchanged: a dot-atom local part and an
# ASCII domain of LDH labels (anything else takes the ordinary path).
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_SIMPLE_ADDRESS = re.compile(rf"{_ATEXT}(?:\.{_ATEXT})*@[A-Za-z0-9-]{{1,63}}(?:\.[A-Za-z0-9-]{{1,63}})*")
_POLICY = email.policy.compat32.clone(linesep="\r\n")  # what Django's as_bytes flattens with
# Printable ASCII without the generator's folding points (whitespace, ";" and ","): folded
# by its length alone, whatever its characters.
_UNSPLITTABLE = re.compile(r"[\x21-\x2b\x2d-\x3a\x3c-\x7e]+")
_CTE = re.compile(rb"^Content-Transfer-Encoding: [78]bit\r\n", re.M)
_SENTINEL_TO = "recipient@template.invalid"


class Rendered(NamedTuple):
    """One recipient's message, ready for `sendmail`."""

    envelope_from: str
    to: str
    data: bytes
    message_id: str
    quoted_from: str  # envelope_from as smtplib writes it in MAIL FROM


class Template:
    """One prepared language version, flattened with slots (see the module docstring)."""

    def __init__(self, prepared):
        self.prepared = prepared
        self.folder = Folder()
        self.envelope_from = sanitize_address(prepared.from_email, "utf-8")
        self.quoted_from = smtplib.quoteaddr(self.envelope_from)
        text = prepared.text
        if HTML_MARK in text or HTML_MARK in prepared.html:
            raise ValueError("the rendered email holds a marker character")
        markup = compose.PLACEHOLDER_RE.sub(lambda m: f"\ue000{m.group(1)}{HTML_MARK}", prepared.html)
        sample = StandardEmail(
            subject="", body=text, from_email=prepared.from_email, to=[_SENTINEL_TO], headers=_extra_headers("x")
        )
        sample.attach_alternative(markup, "text/html")
        msg = sample.message()
        if any(part.get("Content-Transfer-Encoding") not in ("7bit", "8bit") for part in msg.get_payload()):
            raise ValueError("a body is quoted-printable")  # a line past 998 bytes: no slots possible
        self.boundary = Generator._make_boundary()
        if self.boundary in text or self.boundary in markup:
            raise ValueError("the boundary is in a body")  # the generator would have drawn another
        msg.set_boundary(self.boundary)
        head, _sep, body = msg.as_bytes(linesep="\r\n").partition(b"\r\n\r\n")
        self.headers = _split_headers(head)
        self.parts = [_lines_with_slots(text, TEXT_MARK), _lines_with_slots(markup, HTML_MARK)]
        # The two Content-Transfer-Encoding lines are slots too: 7bit when a part is all ASCII.
        pieces = _CTE.split(body)
        if len(pieces) != 3:
            raise ValueError("not a text+html message")
        self.body = []
        for index, piece in enumerate(pieces):
            if index:
                self.body.append(("cte", index - 1))
            self.body.extend(_slots(piece.decode()))

    def render(self, address, values):
        """One recipient's `Rendered` message, or None when it must be built the ordinary
        way. `values` as for `emails.build` (merge fields, unsubscribe_url among them)."""
        if not _SIMPLE_ADDRESS.fullmatch(address):
            return None
        values = {name: emails.one_line(value) for name, value in values.items()}
        if any(self.boundary in value for value in values.values()):
            return None
        escaped = {name: html.escape(value) for name, value in values.items()}
        encoded = ({n: v.encode() for n, v in values.items()}, {n: v.encode() for n, v in escaped.items()})
        cte = []
        for (fixed_ascii, names, lines, bound), filled in zip(self.parts, encoded, strict=True):
            # Each line checked only when the longest value on the fullest line could pass 998.
            if bound[0] + bound[1] * max(map(len, filled.values()), default=0) > RFC5322_EMAIL_LINE_LENGTH_LIMIT:
                for fixed, on_line in lines:
                    if fixed + sum(len(filled.get(n, b"")) for n in on_line) > RFC5322_EMAIL_LINE_LENGTH_LIMIT:
                        return None  # Django would write this part quoted-printable
            # Django's 7bit-or-8bit choice, on what this recipient's part holds.
            ascii_only = fixed_ascii and all(filled.get(n, b"").isascii() for n in names)
            cte.append(b"Content-Transfer-Encoding: %s\r\n" % (b"7bit" if ascii_only else b"8bit"))
        msgid = message_id(self.prepared.from_email)
        extra = _extra_headers(values.get("unsubscribe_url", ""), msgid)
        if not all(value.isascii() for value in extra.values()):
            return None  # Django would write it as an encoded-word
        varying = {
            "subject": Folded(fold("Subject", compose.fill(self.prepared.subject, values, escape=False))),
            "to": address,
            "date": local_date(),
            "message-id": msgid,
            "list-unsubscribe": extra["List-Unsubscribe"],
        }
        out = []
        for name, raw in self.headers:
            key = name.lower()
            out.append(self.folder.fold(name, varying[key]) if key in VARYING else raw)
        out.append(b"\r\n")
        filled = {TEXT_MARK: encoded[0], HTML_MARK: encoded[1]}
        for piece in self.body:
            if isinstance(piece, bytes):
                out.append(piece)
            elif piece[0] == "cte":
                out.append(cte[piece[1]])
            else:
                out.append(filled[piece[1]].get(piece[0], b""))
        return Rendered(self.envelope_from, address, b"".join(out), msgid, self.quoted_from)


class Folder:
    """`fold_binary` of the generator's policy, remembered: a header whose value has no
    folding point is folded the same way as any other value of its length (To, Message-ID,
    List-Unsubscribe), and the Date changes once a second. Folding is most of the cost of
    writing a header."""

    def __init__(self):
        self.shapes = {}
        self.recent = {}

    def fold(self, name, value):
        if not isinstance(value, str):
            return _POLICY.fold_binary(name, value)
        if _UNSPLITTABLE.fullmatch(value):
            shape = self.shapes.get((name, len(value)))
            if shape is None:
                stand_in = b"x" * len(value)
                folded = _POLICY.fold_binary(name, stand_in.decode())
                at = folded.rindex(stand_in)  # the value comes after the name
                shape = self.shapes[(name, len(value))] = (folded[:at], folded[at + len(stand_in) :])
            return shape[0] + value.encode() + shape[1]
        folded = self.recent.get((name, value))
        if folded is None:
            if len(self.recent) > 64:
                self.recent.clear()
            folded = self.recent[(name, value)] = _POLICY.fold_binary(name, value)
        return folded


def _extra_headers(unsubscribe_url, msgid="<x@x>"):
    """The headers dispatch gives `emails.build`, in the same order."""
    return {"Message-ID": msgid, **emails.unsubscribe_headers(unsubscribe_url)}


def _lines_with_slots(payload, mark):
    """(every fixed character ASCII?, the slots' names, [(fixed bytes of a line, [its slots'
    names]) for each line holding a slot], (the most fixed bytes and the most slots on one
    of those lines)), lines as Django counts them for its 998-byte check (str.splitlines)."""
    fixed_ascii = _SLOT_RE.sub("", payload).isascii()
    names = {name for name, m in _SLOT_RE.findall(payload) if m == mark}
    lines = []
    for line in payload.splitlines():
        on_line = [name for name, m in _SLOT_RE.findall(line) if m == mark]
        if on_line:
            lines.append((len(_SLOT_RE.sub("", line).encode()), on_line))
    bound = (max((fixed for fixed, _n in lines), default=0), max((len(n) for _f, n in lines), default=0))
    return fixed_ascii, names, lines, bound


def _split_headers(head):
    """[(name, its flattened lines with their CRLF)] in order."""
    headers = []
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t"):
            name, raw = headers[-1]
            headers[-1] = (name, raw + line + b"\r\n")
        else:
            headers.append((line.split(b":", 1)[0].decode("ascii"), line + b"\r\n"))
    return headers


def _slots(text):
    """A body run as literal bytes and (name, mark) slots."""
    out = []
    last = 0
    for match in _SLOT_RE.finditer(text):
        out.append(text[last : match.start()].encode())
        out.append((match.group(1), match.group(2)))
        last = match.end()
    out.append(text[last:].encode())
    return out


class Wire:
    """Sends through an open Django SMTP backend: a template per prepared language version,
    `sendmail` on its smtplib connection. `for_connection` is None for any other backend."""

    def __init__(self, connection):
        self.connection = connection
        self.templates = {}

    @classmethod
    def for_connection(cls, connection):
        if not isinstance(connection, SMTPBackend):
            return None
        # A subclass that changes how a message is sent keeps its own way.
        backend = type(connection)
        same = backend._send is SMTPBackend._send and backend.send_messages is SMTPBackend.send_messages
        return cls(connection) if same else None

    def template(self, prepared):
        if prepared not in self.templates:
            try:
                self.templates[prepared] = Template(prepared)
            except ValueError:
                self.templates[prepared] = None
        return self.templates[prepared]

    def render(self, prepared, address, values):
        template = self.template(prepared)
        return template.render(address, values) if template is not None else None

    def send(self, rendered):
        """Send what `render` returned; returns its Message-ID. smtplib's exceptions
        propagate, as from the backend's own send_messages."""
        if self.connection.connection is None:
            self.connection.open()
        sendmail(self.connection.connection, rendered)
        return rendered.message_id


def sendmail(smtp, rendered):
    """`smtp.sendmail(rendered.envelope_from, [rendered.to], rendered.data)`, the same
    commands, replies and exceptions, without parsing both addresses again for every
    message (smtplib's quoteaddr: a tenth of a worker's time): the sender's is quoted
    once per template, and a recipient's simple address is its own quoted form."""
    smtp.ehlo_or_helo_if_needed()
    size = f" size={len(rendered.data)}" if smtp.does_esmtp and smtp.has_extn("size") else ""
    smtp.putcmd("mail", f"FROM:{rendered.quoted_from}{size}")
    code, reply = smtp.getreply()
    if code != 250:
        _abandon(smtp, code)
        raise smtplib.SMTPSenderRefused(code, reply, rendered.envelope_from)
    smtp.putcmd("rcpt", f"TO:<{rendered.to}>")
    code, reply = smtp.getreply()
    if code not in (250, 251):
        _abandon(smtp, code)
        raise smtplib.SMTPRecipientsRefused({rendered.to: (code, reply)})
    code, reply = smtp.data(rendered.data)
    if code != 250:
        _abandon(smtp, code)
        raise smtplib.SMTPDataError(code, reply)


def _abandon(smtp, code):
    """What smtplib does after a refusal: close on 421 (the server is going away), else
    reset the transaction."""
    if code == 421:
        smtp.close()
    else:
        smtp._rset()
