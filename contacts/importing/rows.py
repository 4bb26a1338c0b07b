"""Rows of an import: reading records, validating them, and the one merge rule.

``read_rows`` streams the data records of a file ``inspect`` accepted; ``parse_row``
turns one into a validated, blind-indexed ``Row`` or a ``RowError`` (a reason, with
its code) why it cannot be imported;
``Row.fills`` and ``Row.absorb`` decide what a later row for the same person adds,
whether that person is earlier in the file or already in the database.
"""

import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from core.addresses import is_mailable

from .. import crypto
from . import formats
from .names import split_full_name
from .sniff import ImportFailed

LANGUAGES = {
    "ar": "ar",
    "arabic": "ar",
    "عربي": "ar",
    "العربية": "ar",
    "عربية": "ar",
    "en": "en",
    "english": "en",
    "إنجليزي": "en",
    "انجليزي": "en",
    "الإنجليزية": "en",
    "الانكليزية": "en",
    "ara": "ar",
    "arb": "ar",
    "eng": "en",
    "tr": "tr",
    "tur": "tr",
    "turkish": "tr",
    "türkçe": "tr",
    "turkce": "tr",
    "تركي": "tr",
    "التركية": "tr",
}
EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;.]{2,}$")
# Tags: Google joins labels with " ::: ", Outlook categories with ";", Mailchimp quotes
# each tag and joins them with ","; people write Arabic commas and bars.
TAG_SPLIT = re.compile(r"\s*:::\s*|[;،|]")
# Google's system labels and groups ("* myContacts", "* starred", "System Group: My Contacts").
SYSTEM_LABEL = re.compile(r"^(?:\*|system group:)", re.IGNORECASE)
# A cell holding several values (Google: "a@x.org ::: b@x.org"): the first is taken.
MULTI_VALUE = re.compile(r"\s*:::\s*")

# Why one row is not imported: code -> the reason people read in the import report.
ROW_ERRORS = {
    "invalid_email": _("invalid email address"),
    # Looks like an address, but the mail libraries refuse it (x[y]@example.com): stored,
    # every send to it would fail and quote it back in the error.
    "unmailable_email": _("email address that mail cannot be sent to"),
    "invalid_phone": _("invalid phone number"),
    "no_contact": _("no email or phone"),
}
# Why one field of a row was left out while the person was imported: code -> reason, with
# the column's name. The value itself is in no reason: these go to the job's row in the
# database and to the error report file, which stays after the upload is deleted and
# which erasing a contact does not touch (Contact.erase). The organizer finds the value
# in their own file from the line and the column.
FIELD_ERRORS = {
    "invalid_phone": _("invalid phone number in column “%(column)s”: imported without the phone"),
    "invalid_email": _("invalid email address in column “%(column)s”: imported by phone, without the email"),
    "unmailable_email": _(
        "email address that mail cannot be sent to in column “%(column)s”: imported by phone, without the email"
    ),
    "unknown_status": _("unknown status in column “%(column)s”: imported as awaiting confirmation, and not mailed"),
}


class RowError(str):
    """Why a row is not imported: the reason in the active language (a str, as the import
    report shows it), with its `code` (a key of ROW_ERRORS) for code and tests."""

    code = ""

    def __new__(cls, code):
        error = super().__new__(cls, str(ROW_ERRORS[code]))
        error.code = code
        return error


class FieldError(RowError):
    """A field left out of a row that was imported all the same: the reason (a str, as the
    report shows it) with its `code` (a key of FIELD_ERRORS), the `field` and the `column`."""

    field = ""
    column = ""

    def __new__(cls, code, field, column):
        error = str.__new__(cls, str(FIELD_ERRORS[code]) % {"column": column})
        error.code, error.field, error.column = code, field, column
        return error


@dataclass
class Row:
    line: int
    email: str
    phone: str
    given_name: str
    family_name: str
    language: str
    city: str
    neighbourhood: str
    tags: list
    notes: str
    email_hash: str | None
    phone_hash: str | None
    merged: int = 0  # later rows for this person that added something (see absorb)
    phone_verified: bool = True
    # What the file says of their consent: a Contact status and the column that said it
    # ("" for a subscribed row).
    status: str = "subscribed"
    status_column: str = ""
    problems: list = field(default_factory=list)  # FieldErrors: fields left out

    @property
    def key(self):
        return ("e", self.email_hash) if self.email_hash else ("p", self.phone_hash)

    def fills(self, has_phone, has_name):
        """(phone, names): what this row adds to a person who has, or has not, a phone and
        a name already. The one rule for merging, within a file and against the database."""
        return bool(self.phone and not has_phone), bool((self.given_name or self.family_name) and not has_name)

    def absorb(self, later):
        """Take from a later row for the same person what an existing contact would take
        from it (see pipeline.Importer._changes): a phone if none, names if none, tags not yet
        listed. So a file gives the same contacts however it is cut into batches. True if
        anything was taken."""
        phone, names = later.fills(has_phone=bool(self.phone), has_name=bool(self.given_name or self.family_name))
        if phone:
            self.phone, self.phone_hash, self.phone_verified = later.phone, later.phone_hash, later.phone_verified
        if names:
            self.given_name, self.family_name = later.given_name, later.family_name
        taken = phone or names
        if later.status != "subscribed" and self.status == "subscribed":
            # Any row of the file saying they opted out (or bounced) is the one that counts.
            self.status, self.status_column, taken = later.status, later.status_column, True
        tags = [name for name in later.tags if name not in self.tags]
        if tags:
            self.tags, taken = self.tags + tags, True
        return taken


def parse_row(cells, columns, line, ring=None, plan=None):
    """A validated Row, or a RowError (a str with a code) why the row cannot be imported.
    `ring` is the crypto Keyring to index with (looked up once per batch by callers);
    `plan` (sniff.Plan) gives the columns' names for reports and a status the whole file
    carries. A bad email or phone next to a good one leaves that field out (a FieldError in
    ``Row.problems``) but keeps the person."""
    ring = ring or crypto.keyring()
    width = len(cells)
    header = plan.header if plan is not None else []

    def cell(name):
        index = columns.get(name)
        return cells[index].strip() if index is not None and index < width else ""

    def column(name):
        index = columns.get(name)
        return header[index].strip() if index is not None and index < len(header) else name

    attributes = _attributes(cell("attributes"))
    email, email_error = _email(MULTI_VALUE.split(cell("email"), 1)[0])
    raw_phone = MULTI_VALUE.split(cell("phone") or attributes.get("phone", ""), 1)[0]
    phone, verified = _phone(raw_phone)
    if not email and not phone:
        if email_error:
            return RowError(email_error)
        return RowError("invalid_phone" if raw_phone else "no_contact")
    problems = []
    if email_error:
        problems.append(FieldError(email_error, "email", column("email")))
    if raw_phone and not phone:
        problems.append(FieldError("invalid_phone", "phone", column("phone")))
    given, family = cell("first_name"), cell("last_name")
    if not given and not family:
        given, family = split_full_name(cell("name"))
    status, status_column = _status(cell, column, plan)
    if status is None:
        status = "pending"
        problems.append(FieldError("unknown_status", "status", status_column))
    tags_cell = cell("tags")
    return Row(
        line=line,
        email=email,
        phone=phone,
        given_name=given[:200],
        family_name=family[:200],
        language=normalise_language(cell("language") or attributes.get("language", "")) or "ar",
        city=(cell("area") or attributes.get("city", ""))[:100],
        neighbourhood=cell("neighbourhood")[:100],
        tags=split_tags(tags_cell) if tags_cell else [],
        notes=cell("notes")[:5000],
        email_hash=ring.blind_index(email, "email"),
        phone_hash=ring.blind_index(phone, "phone"),
        phone_verified=verified,
        status=status,
        status_column=status_column[:100],
        problems=problems,
    )


def _email(value):
    """(normalised email or '', the code of what is wrong with it or '')."""
    if not value:
        return "", ""
    email = crypto.normalise_email(value)
    if len(email) > 254 or not EMAIL.match(email):
        return "", "invalid_email"
    if not is_mailable(email):
        return "", "unmailable_email"
    return email, ""


def _phone(value):
    """(E.164 number or '', verified). A number phonenumbers validates is verified. One it
    cannot validate but that has the length and shape of its country's numbers (Syrian
    mobiles in ranges added after its metadata: +96391…, +96392…, +96397…) is kept as
    entered, in E.164 so that every spelling of it is one number, and not verified."""
    if not value:
        return "", True
    phone = crypto.normalise_phone(value)
    if phone:
        return phone, True
    plausible = crypto.plausible_phone(value)
    return plausible, not plausible


def _status(cell, column, plan):
    """(Contact status, the column that said it) from the row's status and opt-out
    columns, or (None, column) for a status word nobody knows. A flag that bounces
    outranks one that unsubscribes; either outranks a status word saying "subscribed"."""
    found = ("subscribed", "")
    for name, status in formats.FLAG_STATUS.items():
        if formats.is_set(cell(name)) and (found[0] == "subscribed" or status == "bounced"):
            found = (status, column(name))
    if found[0] != "subscribed":
        return found
    word = cell("status")
    if word:
        status = formats.status_word(word)
        if status is None or status != "subscribed":
            return status, column("status")
    if plan is not None and plan.file_status:
        return plan.file_status
    return found


def _attributes(value):
    """listmonk's attributes cell (a JSON object) as {phone, city, language} strings."""
    if not value or not value.lstrip().startswith("{"):
        return {}
    try:
        data = json.loads(value)
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    found = {}
    for key, names in (("phone", ("phone", "mobile", "tel")), ("city", ("city",)), ("language", ("language", "lang"))):
        for name in names:
            if isinstance(data.get(name), str | int) and str(data[name]).strip():
                found[key] = str(data[name]).strip()
                break
    return found


def normalise_language(value):
    """Hamla's language code for a language as other tools write it (``en_US``, ``ar-SY``,
    ``English``, ``العربية``, ``Türkçe``, ``Arabic (Syria)``), or '' if it is none of ours."""
    text = unicodedata.normalize("NFKC", value or "").strip().casefold()
    if not text:
        return ""
    if text in LANGUAGES:
        return LANGUAGES[text]
    head = re.split(r"[-_\s(,;.@]", text, maxsplit=1)[0]
    return LANGUAGES.get(head, "")


def split_tags(value):
    """Tag names from a tags cell, in order, without quotes, duplicates or system labels:
    ``"volunteer","aleppo"`` (Mailchimp), ``* myContacts ::: Volunteers`` (Google),
    ``Press;Aleppo`` (Outlook), ``شباب، متطوع``."""
    names = []
    for chunk in TAG_SPLIT.split(value):
        for part in next(csv.reader([chunk], skipinitialspace=True), []):
            name = part.strip().strip("\"'“”‘’«»").strip()[:60]
            if name and not SYSTEM_LABEL.match(name) and name not in names:
                names.append(name)
    return names


def read_rows(path, plan):
    """Yield (first line, last line, cells, byte position) for each data record (a quoted
    field may span lines): errors name the first line, checkpoints the last."""
    with open(path, "rb") as raw:
        text = io.TextIOWrapper(raw, encoding=plan.encoding, newline="")
        reader = csv.reader(text, delimiter=plan.delimiter, strict=True)
        next(reader, None)  # header
        while True:
            first = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:  # inspect() read the file, so only if it changed since
                raise ImportFailed("bad_record", line=reader.line_num, reason=exc)
            if not any(c.strip() for c in cells):
                continue
            yield first, reader.line_num, cells, raw.tell()
