"""Inspection of a CSV before import: encoding, delimiter and header.

``inspect`` chooses the encoding (BOMs, UTF-16 without BOM, strict UTF-8, else
Windows-1256), proves the WHOLE file decodes, is not binary and is not a mix of UTF-8
and Windows-1256 (which would import as garbled names), reads every record once
strictly, sniffs the delimiter and maps the header (Arabic or English column names,
at most MAX_COLUMNS of them) to canonical names: other tools' exports (Mailchimp,
Action Network, listmonk, CiviCRM, Google Contacts, Outlook) by their own column names
and status columns (formats.py), then the generic aliases below (``recognise``).
Anything fatal is raised here as ImportFailed, before a single row is written.
"""

import codecs
import csv
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from . import formats

ENCODINGS = ("auto", "utf-8", "utf-8-sig", "cp1256", "utf-16")
SAMPLE = 64 * 1024
# A contacts file has a dozen columns; thousands are a mistake or an attack (every
# record is read cell by cell), so the header and every record stop here.
MAX_COLUMNS = 500
# The header is read as one line: no sane one is longer (500 columns of 100 characters).
MAX_HEADER_CHARS = 64 * 1024

HEADERS = {
    "email": {"email", "e_mail", "email_address", "mail", "البريد_الإلكتروني", "البريد_الالكتروني", "البريد"},
    "phone": {"phone", "phone_number", "mobile", "tel", "telephone", "الهاتف", "رقم_الهاتف", "الجوال", "الموبايل"},
    "name": {"name", "full_name", "الاسم", "الاسم_الكامل"},
    "first_name": {"first_name", "given_name", "firstname", "الاسم_الأول"},
    "last_name": {"last_name", "family_name", "surname", "lastname", "اسم_العائلة", "الكنية"},
    "language": {"language", "lang", "preferred_language", "اللغة"},
    "area": {"area", "city", "المنطقة", "المدينة"},
    "neighbourhood": {"neighbourhood", "neighborhood", "الحي"},
    "tags": {"tags", "tag", "الوسوم", "الوسم"},
    "notes": {"notes", "note", "ملاحظات"},
    "status": {"status", "subscription_status", "الحالة"},
    # Opt-out columns keep their meaning in an export formats.py does not recognise whole
    # (a trimmed Mailchimp or CiviCRM file): never mail someone a column says opted out.
    "opt_out": {"opt_out", "opted_out", "unsubscribed", "do_not_contact", "is_opt_out", "unsub_time"},
    "do_not_email": {"do_not_email", "donotemail"},
    "no_bulk_email": {"no_bulk_emails_(user_opt_out)", "no_bulk_emails"},
    "cleaned": {"clean_time", "cleaned"},
}
HEADER_LOOKUP = {alias: key for key, aliases in HEADERS.items() for alias in aliases}

# Control characters but tab and line ends: text with more than 1% of them is binary.
_CONTROL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Three characters in a row encoded as UTF-8 multi-byte sequences (a word of Arabic or
# accented Latin). In Windows-1256 those bytes read as a letter and a symbol, by turns;
# real Windows-1256 text never has three such pairs in a row. Conversely three Arabic
# letters in a row in Windows-1256 (0xc1-0xfe) are never UTF-8.
_CP1256_RUN = re.compile(rb"[\xc1-\xfe]{3}")
_UTF8_HINT = re.compile(rb"[\x80-\xbf][\xc2-\xf4][\x80-\xbf]")
_UTF8_RUN = re.compile(rb"(?:[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}){3}")


# Why a whole file is refused: code -> the message people read (params filled in).
MESSAGES = {
    "not_text": _("The file is not valid %(encoding)s text (byte %(offset)s). Save it as CSV UTF-8 and retry."),
    "binary": _("This is not a CSV text file (it contains binary data)."),
    "truncated": _("The file ends in the middle of a character; it is truncated or not text."),
    "bad_record": _("Line %(line)s cannot be read as CSV (%(reason)s). Fix that line and retry."),
    "unknown_encoding": _("Unknown encoding %(name)s."),
    "unreadable": _("The file cannot be opened."),
    "empty": _("The file is empty."),
    "too_large": _("The file is too large (%(size)s bytes; the limit is %(limit)s)."),
    "no_header": _("The first line (the column headers) is empty."),
    "no_contact_column": _(
        "No email or phone column found. The first line must name the columns, e.g. email, phone, name."
    ),
    "mixed_encodings": _(
        "The file mixes two encodings: line %(utf8_line)s is UTF-8 but line %(other_line)s is Windows-1256, "
        "so names would be garbled. Save the whole file as CSV UTF-8 and retry."
    ),
    "too_many_columns": _("Line %(line)s has %(count)s columns; at most %(limit)s are accepted."),
    "header_too_long": _("The first line (the column headers) is longer than %(limit)s characters."),
}


class ImportFailed(Exception):
    """The file cannot be imported at all; nothing was written.

    `code` (a key of MESSAGES) says why, for code and tests to decide on; `str()` is the
    message in the active language, for people."""

    def __init__(self, code, **params):
        super().__init__(code)
        self.code = code
        self.params = params

    def __str__(self):
        return str(MESSAGES[self.code]) % self.params if self.params else str(MESSAGES[self.code])


@dataclass
class Plan:
    """What `inspect` learned about a file."""

    encoding: str
    delimiter: str
    columns: dict  # canonical name -> column index
    unknown_columns: list
    size: int
    header: list = field(default_factory=list)  # the first line's cells, as written
    source: str = ""  # the export recognised (formats.Format.name), or ""
    # (status, column name) when the file itself says every row's status: Mailchimp's
    # unsubscribed and cleaned exports.
    file_status: tuple | None = None


def _normalise_header(value):
    value = unicodedata.normalize("NFKC", value or "").replace("\ufeff", "").strip().lower()
    return re.sub(r"[\s\-]+", "_", value)


def _guess_encoding(head):
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    # UTF-16 without a BOM: the high byte of each character is NUL for ASCII and 0x06
    # for Arabic letters, so in Arabic or Latin text nearly every other byte is one of
    # those two (never so in UTF-8 or Windows-1256).
    if len(head) >= 4:
        even, odd = head[0:400:2], head[1:400:2]
        if _high_bytes(odd) and even.count(0) < len(even) * 0.1:
            return "utf-16-le"
        if _high_bytes(even) and odd.count(0) < len(odd) * 0.1:
            return "utf-16-be"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        # Excel on an Arabic Windows saves "CSV" as Windows-1256.
        return "cp1256"


def _high_bytes(sample):
    return sum(1 for byte in sample if byte in (0, 6)) > len(sample) * 0.9 and sample.count(0) > 0


def _check_decodes(path, encoding):
    """Decode the whole file in chunks; raise ImportFailed on bytes that are not text."""
    decoder = codecs.getincrementaldecoder(encoding)()
    utf8 = encoding in ("utf-8", "utf-8-sig")
    first_utf8 = None  # the line of the first non-ASCII UTF-8 text, if any
    with open(path, "rb") as raw:
        offset = lines = 0
        while chunk := raw.read(1024 * 1024):
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                bad = offset + exc.start
                before = chunk[: max(0, exc.start)]
                if first_utf8 is None and utf8 and not before.isascii():
                    first_utf8 = lines + _first_non_ascii_line(before)
                line = chunk[before.rfind(b"\n") + 1 :].split(b"\n", 1)[0]
                if first_utf8 is not None and _CP1256_RUN.search(line):
                    other_line = lines + before.count(b"\n") + 1
                    raise ImportFailed("mixed_encodings", utf8_line=first_utf8, other_line=other_line)
                raise ImportFailed("not_text", encoding=encoding, offset=bad)
            if "\x00" in text or _control_ratio(text) > 0.01:
                raise ImportFailed("binary")
            if utf8 and first_utf8 is None and not text.isascii():
                first_utf8 = lines + _first_non_ascii_line(chunk)
            offset += len(chunk)
            lines += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise ImportFailed("truncated")


def _check_records(path, encoding, delimiter):
    """Read every record once, strictly: a record the csv module cannot read (a quote
    never closed, which would swallow the rest of the file into one cell; a field over
    its 128 KiB limit) fails the whole file here, before anything is written. Read
    past, the text of a broken field could be taken for rows, or rows for a note. So
    does a record of more than MAX_COLUMNS cells."""
    with open(path, encoding=encoding, newline="") as text:
        reader = csv.reader(text, delimiter=delimiter, strict=True)
        first = 1
        try:
            while True:
                first = reader.line_num + 1  # where the record starts: a broken quote opened there
                record = next(reader, None)
                if record is None:
                    return
                if len(record) > MAX_COLUMNS:
                    raise ImportFailed("too_many_columns", line=first, count=len(record), limit=MAX_COLUMNS)
        except csv.Error as exc:
            raise ImportFailed("bad_record", line=first, reason=exc)


def _first_non_ascii_line(chunk):
    """The line (1-based, within `chunk`) of its first byte over 0x7f."""
    first = next(i for i, byte in enumerate(chunk) if byte > 0x7F)
    return chunk.count(b"\n", 0, first) + 1


def _lines(path):
    """(number, bytes) of each line of the file, read in chunks."""
    with open(path, "rb") as raw:
        number, rest = 0, b""
        while chunk := raw.read(1024 * 1024):
            *whole, rest = (rest + chunk).split(b"\n")
            for line in whole:
                number += 1
                yield number, line
        if rest:
            yield number + 1, rest


def _check_not_mixed(path):
    """A file read as Windows-1256 must not also hold UTF-8 text (rows pasted from another
    export, say): read as one encoding, the other's names come out garbled. A run of
    UTF-8 multi-byte characters (_UTF8_RUN) is UTF-8; a line UTF-8 cannot read is not."""
    utf8_line = _first_utf8_run(path)
    if utf8_line is None:
        return
    other_line = next((number for number, line in _lines(path) if not _is_utf8(line)), None)
    if other_line is not None:
        raise ImportFailed("mixed_encodings", utf8_line=utf8_line, other_line=other_line)


def _first_utf8_run(path):
    """The line of the first _UTF8_RUN in the file, or None. Searched a chunk of whole
    lines at a time: a file with none (the usual case) costs one regex pass."""
    with open(path, "rb") as raw:
        lines, rest = 0, b""
        while True:
            chunk = raw.read(1024 * 1024)
            block = rest + chunk
            end = block.rfind(b"\n") + 1 if chunk else len(block)
            whole, rest = block[:end], block[end:]
            match = _utf8_run_in(whole)
            if match:
                return lines + whole.count(b"\n", 0, match.start()) + 1
            lines += whole.count(b"\n")
            if not chunk:
                return None


def _utf8_run_in(block):
    """The first _UTF8_RUN in `block`, found fast: every run holds the end of one
    multi-byte character followed by the start of the next (_UTF8_HINT), which Windows-1256
    text rarely has (0x80-0xbf are its rare letters and symbols), so the exact pattern is
    only tried around those places."""
    position = 0
    while hint := _UTF8_HINT.search(block, position):
        run = _UTF8_RUN.search(block, max(0, hint.start() - 3), hint.end() + 9)
        if run:
            return run
        position = hint.start() + 1
    return None


def _is_utf8(line):
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _control_ratio(text):
    return len(_CONTROL.findall(text)) / max(1, len(text))


def inspect(path, encoding="auto", mapping=None, partial=False):
    """Check that `path` is an importable CSV and work out how to read it.

    `mapping` ({header: field}, see mapping.py) overrides the detected meaning of the
    columns it names. `partial`: a file with no email or phone column is returned
    rather than refused (the import page's mapping step asks which one it is)."""
    path = Path(path)
    if encoding not in ENCODINGS:
        raise ImportFailed("unknown_encoding", name=encoding)
    try:
        size = path.stat().st_size
    except OSError:
        raise ImportFailed("unreadable")
    if size == 0:
        raise ImportFailed("empty")
    if size > settings.HAMLA_MAX_IMPORT_BYTES:
        raise ImportFailed("too_large", size=size, limit=settings.HAMLA_MAX_IMPORT_BYTES)
    with open(path, "rb") as raw:
        head = raw.read(SAMPLE)
    if encoding == "auto":
        encoding = _guess_encoding(head)
    elif encoding == "utf-16" and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = _guess_encoding(head) if _guess_encoding(head).startswith("utf-16") else "utf-16-le"
    _check_decodes(path, encoding)
    if encoding == "cp1256":
        _check_not_mixed(path)
    with open(path, encoding=encoding, newline="") as text:
        header_line = text.readline(MAX_HEADER_CHARS + 1)
    if len(header_line) > MAX_HEADER_CHARS:
        raise ImportFailed("header_too_long", limit=MAX_HEADER_CHARS)
    if not header_line.strip():
        raise ImportFailed("no_header")
    delimiter = max(",;\t", key=header_line.count)
    if header_line.count(delimiter) == 0:
        delimiter = ","
    header = next(csv.reader([header_line], delimiter=delimiter))
    if len(header) > MAX_COLUMNS:
        raise ImportFailed("too_many_columns", line=1, count=len(header), limit=MAX_COLUMNS)
    _check_records(path, encoding, delimiter)
    columns, unknown, source, file_status = recognise(header)
    if mapping:
        from .mapping import apply_mapping

        columns, unknown = apply_mapping(header, columns, unknown, mapping)
    if "email" not in columns and "phone" not in columns and not partial:
        raise ImportFailed("no_contact_column")
    return Plan(
        encoding=encoding,
        delimiter=delimiter,
        columns=columns,
        unknown_columns=unknown,
        size=size,
        header=header,
        source=source,
        file_status=file_status,
    )


def recognise(header):
    """(columns, unknown, source, file_status) for a header row: the export it comes from
    (formats.detect) names its own columns, the rest go by HEADER_LOOKUP. For a field several
    columns could fill, the format's order decides (Outlook's Mobile Phone before Home
    Phone), then the file's."""
    names = [_normalise_header(name) for name in header]
    export = formats.detect(set(names), _normalise_header)
    ranked, claimed, known = {}, set(), set()  # field -> (rank, index); columns the format named
    if export is not None:
        table = {_normalise_header(name): (rank, key) for rank, (name, key) in enumerate(export.headers.items())}
        for index, name in enumerate(names):
            if name in table:
                rank, key = table[name]
                claimed.add(index)
                if key not in ranked or rank < ranked[key][0]:
                    ranked[key] = (rank, index)
        known = {_normalise_header(name) for name in export.known}
        claimed |= {index for index, name in enumerate(names) if name in known}
    for index, name in enumerate(names):
        key = HEADER_LOOKUP.get(name)
        if index not in claimed and key and key not in ranked:
            ranked[key] = (len(ranked) + 1000, index)
    columns = {key: index for key, (_rank, index) in ranked.items()}
    used = set(columns.values())
    unknown = [
        name.strip()
        for index, name in enumerate(header)
        if index not in used and name.strip() and names[index] not in known
    ]
    file_status = None
    for name, status in export.whole_file.items() if export is not None else ():
        if _normalise_header(name) in names:
            file_status = (status, header[names.index(_normalise_header(name))].strip())
            break
    return columns, unknown, export.name if export else "", file_status
