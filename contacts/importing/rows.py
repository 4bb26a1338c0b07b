"""Rows of an import: reading records, validating them, and the one merge rule.

``read_rows`` streams the data records of a file ``inspect`` accepted; ``parse_row``
turns one into a validated, blind-indexed ``Row`` or a ``RowError`` (a reason, with
its code) why it cannot be imported;
``Row.fills`` and ``Row.absorb`` decide what a later row for the same person adds,
whether that person is earlier in the file or already in the database.
"""

import csv
import io
import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from core.addresses import is_mailable

from .. import crypto
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
    "tr": "tr",
    "turkish": "tr",
    "türkçe": "tr",
    "تركي": "tr",
    "التركية": "tr",
}
EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;.]{2,}$")
TAG_SPLIT = re.compile(r"[;,،|]")

# Why one row is not imported: code -> the reason people read in the import report.
ROW_ERRORS = {
    "invalid_email": _("invalid email address"),
    # Looks like an address, but the mail libraries refuse it (x[y]@example.com): stored,
    # every send to it would fail and quote it back in the error.
    "unmailable_email": _("email address that mail cannot be sent to"),
    "invalid_phone": _("invalid phone number"),
    "no_contact": _("no email or phone"),
}


class RowError(str):
    """Why a row is not imported: the reason in the active language (a str, as the import
    report shows it), with its `code` (a key of ROW_ERRORS) for code and tests."""

    code = ""

    def __new__(cls, code):
        error = super().__new__(cls, str(ROW_ERRORS[code]))
        error.code = code
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
            self.phone, self.phone_hash = later.phone, later.phone_hash
        if names:
            self.given_name, self.family_name = later.given_name, later.family_name
        taken = phone or names
        tags = [name for name in later.tags if name not in self.tags]
        if tags:
            self.tags, taken = self.tags + tags, True
        return taken


def parse_row(cells, columns, line, ring=None):
    """A validated Row, or a RowError (a str with a code) why the row cannot be imported.
    `ring` is the crypto Keyring to index with (looked up once per batch by callers)."""
    ring = ring or crypto.keyring()
    width = len(cells)

    def cell(name):
        index = columns.get(name)
        return cells[index].strip() if index is not None and index < width else ""

    email = cell("email")
    if email:
        email = crypto.normalise_email(email)
        if len(email) > 254 or not EMAIL.match(email):
            return RowError("invalid_email")
        if not is_mailable(email):
            return RowError("unmailable_email")
    raw_phone = cell("phone")
    phone = crypto.normalise_phone(raw_phone) if raw_phone else ""
    if raw_phone and not phone:
        return RowError("invalid_phone")
    if not email and not phone:
        return RowError("no_contact")
    given, family = cell("first_name"), cell("last_name")
    if not given and not family:
        given, _sep, family = cell("name").partition(" ")
        family = family.strip()
    language_cell = cell("language")
    tags_cell = cell("tags")
    return Row(
        line=line,
        email=email,
        phone=phone,
        given_name=given[:200],
        family_name=family[:200],
        language=LANGUAGES.get(language_cell.lower(), "ar") if language_cell else "ar",
        city=cell("area")[:100],
        neighbourhood=cell("neighbourhood")[:100],
        tags=[t.strip()[:60] for t in TAG_SPLIT.split(tags_cell) if t.strip()] if tags_cell else [],
        notes=cell("notes")[:5000],
        email_hash=ring.blind_index(email, "email"),
        phone_hash=ring.blind_index(phone, "phone"),
    )


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
