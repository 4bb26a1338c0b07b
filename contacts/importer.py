"""CSV import of contacts: one code path for the command, the worker task and the bench.

The file is streamed twice and never held in memory:

1. ``inspect``: choose the encoding (BOMs, UTF-16 without BOM, strict UTF-8, else
   Windows-1256), prove the WHOLE file decodes and is not binary, sniff the
   delimiter and map the header. Anything fatal is raised here as ImportFailed,
   before a single row is written.
2. ``import_file``: read rows in batches. Each batch costs a fixed number of
   queries (one blind-index lookup for emails, one for phones, one for existing
   memberships, then bulk inserts) and commits in one transaction together with
   the job's checkpoint, so a crash loses at most the batch in flight, never half
   a row, and a restarted job resumes after the last committed line.

On PostgreSQL the two halves of each batch overlap: the thread reading the file
also validates, merges duplicates, encrypts and formats the rows for COPY
(`Importer.prepare`), while a writer thread on its own connection looks up which
of the previous batch's contacts exist and sends the rest (`BatchWriter`).

De-duplication uses the database as the "seen" set: rows of earlier batches are
already committed, rows within a batch are merged in a dict. Re-importing a file
therefore creates nothing new. A dry run writes nothing, so it keeps a set of
the keys it has seen (16 bytes a contact).
"""

import codecs
import csv
import io
import json
import queue
import re
import threading
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import crypto
from .models import ConsentEvent, Contact, Membership, Tag

ENCODINGS = ("auto", "utf-8", "utf-8-sig", "cp1256", "utf-16")
SAMPLE = 64 * 1024
BATCH = 5000
# Errors beyond this many are counted but not listed (memory stays bounded).
MAX_LISTED_ERRORS = 10_000

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
}
HEADER_LOOKUP = {alias: key for key, aliases in HEADERS.items() for alias in aliases}
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


class ImportFailed(Exception):
    """The file cannot be imported at all; nothing was written."""


@dataclass
class Plan:
    """What `inspect` learned about a file."""

    encoding: str
    delimiter: str
    columns: dict  # canonical name -> column index
    unknown_columns: list
    size: int


@dataclass
class Result:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list = field(default_factory=list)
    error_count: int = 0
    encoding: str = ""
    unknown_columns: list = field(default_factory=list)
    line: int = 0

    def error(self, line, reason):
        self.error_count += 1
        if len(self.errors) < MAX_LISTED_ERRORS:
            self.errors.append({"line": line, "reason": reason})

    def as_dict(self):
        return {
            "created": self.created,
            "updated": self.updated,
            "skipped": self.skipped,
            "errors": self.errors,
            "error_count": self.error_count,
            "encoding": self.encoding,
            "unknown_columns": self.unknown_columns,
        }


# --- inspection ----------------------------------------------------------------


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
    with open(path, "rb") as raw:
        offset = 0
        while chunk := raw.read(1024 * 1024):
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                raise ImportFailed(
                    _("The file is not valid %(encoding)s text (byte %(offset)s). Save it as CSV UTF-8 and retry.")
                    % {"encoding": encoding, "offset": offset + exc.start}
                )
            if "\x00" in text or _control_ratio(text) > 0.01:
                raise ImportFailed(_("This is not a CSV text file (it contains binary data)."))
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise ImportFailed(_("The file ends in the middle of a character; it is truncated or not text."))


def _check_records(path, encoding, delimiter):
    """Read every record once, strictly: a record the csv module cannot read (a quote
    never closed, which would swallow the rest of the file into one cell; a field over
    its 128 KiB limit) fails the whole file here, before anything is written. Read
    past, the text of a broken field could be taken for rows, or rows for a note."""
    with open(path, encoding=encoding, newline="") as text:
        reader = csv.reader(text, delimiter=delimiter, strict=True)
        first = 1
        try:
            while True:
                first = reader.line_num + 1  # where the record starts: a broken quote opened there
                if next(reader, None) is None:
                    return
        except csv.Error as exc:
            raise ImportFailed(
                _("Line %(line)s cannot be read as CSV (%(reason)s). Fix that line and retry.")
                % {"line": first, "reason": exc}
            )


_CONTROL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _control_ratio(text):
    return len(_CONTROL.findall(text)) / max(1, len(text))


def inspect(path, encoding="auto"):
    """Check that `path` is an importable CSV and work out how to read it."""
    path = Path(path)
    if encoding not in ENCODINGS:
        raise ImportFailed(_("Unknown encoding %(name)s.") % {"name": encoding})
    try:
        size = path.stat().st_size
    except OSError:
        raise ImportFailed(_("The file cannot be opened."))
    if size == 0:
        raise ImportFailed(_("The file is empty."))
    if size > settings.HAMLA_MAX_IMPORT_BYTES:
        raise ImportFailed(
            _("The file is too large (%(size)s bytes; the limit is %(limit)s).")
            % {"size": size, "limit": settings.HAMLA_MAX_IMPORT_BYTES}
        )
    with open(path, "rb") as raw:
        head = raw.read(SAMPLE)
    if encoding == "auto":
        encoding = _guess_encoding(head)
    elif encoding == "utf-16" and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = _guess_encoding(head) if _guess_encoding(head).startswith("utf-16") else "utf-16-le"
    _check_decodes(path, encoding)
    with open(path, encoding=encoding, newline="") as text:
        header_line = text.readline()
    if not header_line.strip():
        raise ImportFailed(_("The first line (the column headers) is empty."))
    delimiter = max(",;\t", key=header_line.count)
    if header_line.count(delimiter) == 0:
        delimiter = ","
    header = next(csv.reader([header_line], delimiter=delimiter))
    _check_records(path, encoding, delimiter)
    columns, unknown = {}, []
    for index, name in enumerate(header):
        key = HEADER_LOOKUP.get(_normalise_header(name))
        if key and key not in columns:
            columns[key] = index
        elif name.strip():
            unknown.append(name.strip())
    if "email" not in columns and "phone" not in columns:
        raise ImportFailed(
            _("No email or phone column found. The first line must name the columns, e.g. email, phone, name.")
        )
    return Plan(encoding=encoding, delimiter=delimiter, columns=columns, unknown_columns=unknown, size=size)


# --- rows ----------------------------------------------------------------------


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
        from it (see Importer._changes): a phone if none, names if none, tags not yet
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
    """A validated Row, or a reason string why the row cannot be imported.
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
            return _("invalid email address")
    raw_phone = cell("phone")
    phone = crypto.normalise_phone(raw_phone) if raw_phone else ""
    if raw_phone and not phone:
        return _("invalid phone number")
    if not email and not phone:
        return _("no email or phone")
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
                raise ImportFailed(
                    _("Line %(line)s cannot be read as CSV (%(reason)s). Fix that line and retry.")
                    % {"line": reader.line_num, "reason": exc}
                )
            if not any(c.strip() for c in cells):
                continue
            yield first, reader.line_num, cells, raw.tell()


# --- import --------------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    """Where the reader was when a batch was cut: what the batch's checkpoint records."""

    line: int
    position: int
    error_count: int
    errors: list


@dataclass
class Batch:
    """One batch's rows, unique by key, with the CPU work done where the file is read.

    ``values`` are the rows' Contact columns (CONTACT_COLUMNS), already encrypted; on
    PostgreSQL they are kept only as ``lines``, in COPY's text format. The writing
    side then only has to ask the database which rows exist and send the rest."""

    rows: list
    duplicates: int  # later rows for a person already in the batch that added nothing
    now: object
    values: list = field(default_factory=list)
    lines: list | None = None


class BatchWriter:
    """Writes batches, in order, on its own thread and database connection.

    The queue holds at most two batches, so memory stays bounded; an error in the
    writer stops the reader at its next batch and is raised from finish()."""

    def __init__(self, importer, result, progress):
        self.importer, self.result, self.progress = importer, result, progress
        self.queue = queue.Queue(maxsize=2)
        self.error = None
        self.thread = threading.Thread(target=self._loop, name="contacts-import-writer", daemon=True)
        self.thread.start()

    def submit(self, batch, mark):
        while True:
            if self.error is not None:
                raise self.error
            try:
                self.queue.put((batch, mark), timeout=0.5)
                return
            except queue.Full:
                continue

    def _loop(self):
        try:
            while (item := self.queue.get()) is not None:
                if self.error is None:
                    self.importer.flush(item[0], self.result, item[1], self.progress)
        except BaseException as exc:  # noqa: BLE001 - handed to the reading thread
            self.error = exc
            while self.queue.get() is not None:  # let the reader finish submitting
                pass
        finally:
            connection.close()

    def finish(self, quietly=False):
        """Wait for the batches in the queue; raise the writer's error unless `quietly`."""
        self.queue.put(None)
        self.thread.join()
        if self.error is not None and not quietly:
            raise self.error


class Importer:
    def __init__(self, contact_list, actor=None, file_name="", job=None, dry_run=False):
        self.contact_list = contact_list
        self.actor = actor if getattr(actor, "is_authenticated", False) else None
        self.file_name = file_name[:255]
        self.job = job
        self.dry_run = dry_run
        self.seen = set()  # dry run only
        self.tag_ids = {}

    def run(self, path, encoding="auto", batch_size=BATCH, progress=None, plan=None):
        """`plan`: what inspect() found, when the caller already checked the file (it
        reads the whole file twice: decoding, then every record)."""
        plan = plan or inspect(path, encoding)
        result = Result(encoding=plan.encoding, unknown_columns=plan.unknown_columns)
        start_line = 0
        if self.job is not None:
            # Resuming: the counts come from the checkpoint; the errors of the lines already
            # done are found again below (the checkpoint keeps only the first few).
            job = self.job
            start_line = job.line
            result.created, result.updated, result.skipped = job.created_count, job.updated_count, job.skipped_count
        writer = BatchWriter(self, result, progress) if self._can_pipeline() else None
        submit = writer.submit if writer else (lambda batch, mark: self.flush(batch, result, mark, progress))
        rows = []
        ring = crypto.keyring()

        def cut(position):
            submit(self.prepare(rows, ring), Mark(result.line, position, result.error_count, result.errors[:200]))

        try:
            for first, line, cells, position in read_rows(path, plan):
                parsed = parse_row(cells, plan.columns, first, ring)
                if isinstance(parsed, str):
                    result.error(first, parsed)
                elif line > start_line:
                    rows.append(parsed)
                result.line = line
                if len(rows) >= batch_size:
                    cut(position)
                    rows = []
            cut(plan.size)
        except BaseException:
            if writer:
                writer.finish(quietly=True)  # the reader's error is the one to report
            raise
        if writer:
            writer.finish()
        if result.created >= ANALYZE_AFTER and not self.dry_run:
            refresh_statistics()
        return result

    def prepare(self, rows, ring):
        """Merge a batch's rows for the same person and encrypt the rest (see Batch)."""
        merged = {}
        for row in rows:
            kept = merged.setdefault(row.key, row)
            if kept is not row and kept.absorb(row):
                kept.merged += 1
        duplicates = len(rows) - len(merged) - sum(row.merged for row in merged.values())
        batch = Batch(rows=list(merged.values()), duplicates=duplicates, now=timezone.now())
        if self.dry_run:
            return batch
        encrypt, now, subscribed = ring.encrypt, batch.now, Contact.Status.SUBSCRIBED.value
        values = (
            (
                encrypt(r.given_name),
                encrypt(r.family_name),
                encrypt(r.email),
                encrypt(r.phone),
                encrypt(r.notes),
                r.email_hash,
                r.phone_hash,
                r.language,
                r.city,
                r.neighbourhood,
                subscribed,
                "import",
                now,
                now,
            )
            for r in batch.rows
        )
        if connection.vendor == "postgresql":
            batch.lines = copy_lines(Contact, CONTACT_COLUMNS, values)
        else:
            batch.values = list(values)
        return batch

    def _can_pipeline(self):
        """Write batches on a second connection while this thread parses and encrypts the
        next one. Only on PostgreSQL (SQLite has one writer anyway) and only when the
        caller holds no transaction, since the other connection could not see its rows."""
        return not self.dry_run and connection.vendor == "postgresql" and not connection.in_atomic_block

    def flush(self, batch, result, mark, progress=None):
        """Write one batch and its checkpoint in one transaction (or count it, in a dry run)."""
        if self.dry_run:
            self._dry(batch, result)
        else:
            for attempt in range(3):
                try:
                    with transaction.atomic():
                        counts = self._write(batch)
                        self._checkpoint(result, counts, mark)
                    break
                except IntegrityError:
                    # A signup created one of these emails between lookup and insert, or a
                    # contact was erased meanwhile: look again. Tags created in the rolled
                    # back transaction are gone with it.
                    self.tag_ids = {}
                    if attempt == 2:
                        raise
            # Counted only once committed (a retried batch is not counted twice).
            result.created += counts[0]
            result.updated += counts[1]
            result.skipped += counts[2]
        if progress:
            progress(result, mark.position)

    def _checkpoint(self, result, counts, mark):
        if self.job is not None:
            type(self.job).objects.filter(pk=self.job.pk).update(
                line=mark.line,
                bytes_done=mark.position,
                created_count=result.created + counts[0],
                updated_count=result.updated + counts[1],
                skipped_count=result.skipped + counts[2],
                error_count=mark.error_count,
                errors=mark.errors,
                detected_encoding=result.encoding,
                unknown_columns=result.unknown_columns,
            )

    def _dry(self, batch, result):
        """Count what _write would do, with the same rules and read-only queries. A person
        whose rows fall in different batches cannot be followed without writing: the dry
        run counts their later rows as skipped."""
        existing = self._existing(batch.rows)
        fresh, old = [], []
        for row in batch.rows:
            key = (row.key[0], bytes.fromhex(row.key[1])[:16])
            if key in self.seen:
                result.skipped += 1 + row.merged
            elif row.key in existing:
                old.append((row, existing[row.key]))
            else:
                fresh.append(row)
            self.seen.add(key)
        updated = self._changes(old).updated_ids
        result.created += len(fresh)
        result.updated += len(updated) + sum(row.merged for row in fresh)
        result.skipped += batch.duplicates + sum(row.merged for row, _c in old) + len(old) - len(updated)

    def _existing(self, rows):
        """Existing contacts for these rows, by key: emails first, then phone-only contacts.
        Two queries a batch whatever its size."""
        found = {}
        emails = [r.email_hash for r in rows if r.email_hash]
        for contact in _contacts_where("email_hash", emails):
            found[("e", contact.email_hash)] = contact
        phones = [r.phone_hash for r in rows if not r.email_hash]
        for contact in _contacts_where("phone_hash", phones, email_is_null=True):
            found.setdefault(("p", contact.phone_hash), contact)
        return found

    def _tags(self, names):
        missing = {n for n in names if n not in self.tag_ids}
        if missing:
            Tag.objects.bulk_create([Tag(name=n) for n in missing], ignore_conflicts=True)
            self.tag_ids.update(Tag.objects.filter(name__in=missing).values_list("name", "id"))
        return self.tag_ids

    def _changes(self, old):
        """What importing `old` [(row, existing contact)] changes, decided without writing:
        contacts joining the list (unless they once left it), empty phones and names
        filled in, tags the contact does not have yet."""
        ids = [contact.pk for _row, contact in old]
        member = set()
        if ids and self.contact_list.pk is not None:  # a dry run's list may not exist yet
            member = set(
                Membership.objects.filter(contact_list=self.contact_list, contact_id__in=ids).values_list(
                    "contact_id", flat=True
                )
            )
        changes = Changes(joined=[c.pk for _r, c in old if c.pk not in member])
        for row, contact in old:
            phone, names = row.fills(
                has_phone=bool(contact.phone_enc), has_name=bool(contact.given_name_enc or contact.family_name_enc)
            )
            if phone or names:
                changes.fills.append((contact, row, phone, names))
        wanted = {(contact.pk, name) for row, contact in old for name in row.tags}
        if wanted:
            have = Contact.tags.through.objects.filter(contact_id__in={pk for pk, _name in wanted})
            changes.tags = wanted - set(have.values_list("contact_id", "tag__name"))
        return changes

    def _write(self, batch):
        """Write one batch; returns (created, updated, skipped). Runs inside a transaction."""
        existing = self._existing(batch.rows)
        now = batch.now
        new = [i for i, row in enumerate(batch.rows) if row.key not in existing]
        new_rows = [batch.rows[i] for i in new]
        old = [(row, existing[row.key]) for row in batch.rows if row.key in existing]
        if batch.lines is not None:
            new_ids = insert_rows(Contact, CONTACT_COLUMNS, lines=[batch.lines[i] for i in new], with_ids=True)
        else:
            new_ids = insert_rows(Contact, CONTACT_COLUMNS, [batch.values[i] for i in new], with_ids=True)

        changes = self._changes(old)
        for contact, row, phone, names in changes.fills:
            if phone:
                contact.phone_enc, contact.phone_hash = crypto.encrypt(row.phone), row.phone_hash
            if names:
                contact.given_name_enc = crypto.encrypt(row.given_name)
                contact.family_name_enc = crypto.encrypt(row.family_name)
            contact.updated = now
        if changes.fills:
            Contact.objects.bulk_update(
                [contact for contact, *_rest in changes.fills],
                ["phone_enc", "phone_hash", "given_name_enc", "family_name_enc", "updated"],
            )

        subscribed = new_ids + changes.joined
        list_id = self.contact_list.pk
        insert_for_contacts(Membership, subscribed, {"contact_list_id": list_id, "subscribed": True, "created": now})
        detail = {"file": self.file_name}
        if self.job is not None:
            detail["job"] = self.job.pk
        insert_for_contacts(
            ConsentEvent,
            subscribed,
            {
                "kind": ConsentEvent.Kind.SUBSCRIBED.value,
                "method": "import",
                "contact_list_id": list_id,
                "actor_id": self.actor.pk if self.actor else None,
                "detail": detail,
                "created": now,
            },
        )

        links = [(pk, name) for pk, row in zip(new_ids, new_rows, strict=True) for name in row.tags]
        links += changes.tags
        if links:
            tag_ids = self._tags({name for _pk, name in links})
            insert_rows(Contact.tags.through, ("contact_id", "tag_id"), sorted({(pk, tag_ids[n]) for pk, n in links}))
        updated = changes.updated_ids
        # What later rows added to a new contact counts as an update, as it would had they
        # come in a later batch; for an existing contact, _changes has already decided.
        skipped = batch.duplicates + sum(row.merged for row, _c in old) + len(old) - len(updated)
        return len(new_ids), len(updated) + sum(row.merged for row in new_rows), skipped


@dataclass
class Changes:
    """See Importer._changes."""

    joined: list = field(default_factory=list)
    fills: list = field(default_factory=list)  # (contact, row, fill the phone?, fill the names?)
    tags: set = field(default_factory=set)  # (contact id, tag name)

    @property
    def updated_ids(self):
        return set(self.joined) | {contact.pk for contact, *_rest in self.fills} | {pk for pk, _name in self.tags}


LOOKUP_COLUMNS = ("id", "email_hash", "phone_hash", "phone_enc", "given_name_enc", "family_name_enc")


# After a bulk load the planner's row estimates are stale until autovacuum catches up;
# with them, a list filter over 100k fresh members took 270 ms instead of 70 ms.
ANALYZE_AFTER = 1000


def refresh_statistics():
    """Update PostgreSQL's statistics for the tables an import fills (no-op elsewhere)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        for model in (Contact, Membership, ConsentEvent):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _contacts_where(column, hashes, email_is_null=False):
    """Contacts whose `column` is one of `hashes` (only the columns the importer needs)."""
    hashes = list(set(hashes))
    if not hashes:
        return []
    # Column and table names are constants of this module, never input.
    if connection.vendor == "postgresql":
        where, params = f"{column} = ANY(%s)", [hashes]  # one array parameter, not thousands
    else:
        where, params = f"{column} IN ({', '.join(['%s'] * len(hashes))})", hashes
    if email_is_null:
        where += " AND email_hash IS NULL"
    sql = f"SELECT {', '.join(LOOKUP_COLUMNS)} FROM {Contact._meta.db_table} WHERE {where}"  # noqa: S608
    with driver_cursor() as cursor:
        cursor.execute(sql, params)
        values = cursor.fetchall()
    return [Contact(**dict(zip(LOOKUP_COLUMNS, v, strict=True))) for v in values]


@contextmanager
def driver_cursor():
    """The database driver's own cursor, under Django's connection handling but outside
    its DEBUG query log: with DEBUG on, the log would keep every batch's SQL (tens of
    megabytes of hashes and values for a large file) until the process ends. Its errors
    still arrive as Django's (IntegrityError, OperationalError), which callers handle."""
    with connection.cursor() as cursor, connection.wrap_database_errors:
        yield cursor.cursor


CONTACT_COLUMNS = (
    "given_name_enc",
    "family_name_enc",
    "email_enc",
    "phone_enc",
    "notes_enc",
    "email_hash",
    "phone_hash",
    "language",
    "city",
    "neighbourhood",
    "status",
    "source",
    "created",
    "updated",
)


def insert_rows(model, columns, rows=(), with_ids=False, lines=None):
    """Insert tuples of `columns` (attribute names) into `model`'s table; return the new
    ids when asked. On PostgreSQL this is COPY with ids drawn from the sequence in one
    query: several times faster than INSERT. On PostgreSQL `lines` may stand in for
    `rows`: the rows already in COPY's text format (from copy_lines). Elsewhere
    (SQLite) it is a prepared INSERT per row. The ORM's bulk_create would spend most of
    an import building model instances."""
    if not rows and not lines:
        return []
    if connection.vendor != "postgresql":
        return _insert_plain(model, columns, rows, with_ids)
    if lines is None:
        lines = copy_lines(model, columns, rows)
    ids = []
    with driver_cursor() as cursor:
        if with_ids:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [model._meta.db_table, len(lines)],
            )
            ids = [r[0] for r in cursor.fetchall()]
            lines = [f"{pk}\t{line}" for pk, line in zip(ids, lines, strict=True)]
            columns = ("id", *columns)
        _copy(cursor, model, columns, lines)
    return ids


def _insert_plain(model, columns, rows, with_ids):
    fields = {f.attname: f for f in model._meta.concrete_fields}
    prepare = [fields[c].get_db_prep_save for c in columns]
    quote = connection.ops.quote_name
    names = ", ".join(quote(fields[c].column) for c in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({placeholders})"  # noqa: S608 - model names
    prepared = ([p(v, connection) for p, v in zip(prepare, row, strict=True)] for row in rows)
    with driver_cursor() as cursor:
        if not with_ids:
            cursor.executemany(sql, prepared)
            return []
        ids = []
        for values in prepared:
            cursor.execute(sql + " RETURNING id", values)
            ids.append(cursor.fetchone()[0])
        return ids


def insert_for_contacts(model, contact_ids, shared):
    """Insert one `model` row per contact id, all rows alike but for the contact:
    the shared columns are formatted once, not once a row."""
    if not contact_ids:
        return
    columns = ("contact_id", *shared)
    if connection.vendor != "postgresql":
        insert_rows(model, columns, [(cid, *shared.values()) for cid in contact_ids])
        return
    (suffix,) = copy_lines(model, tuple(shared), [tuple(shared.values())])
    with driver_cursor() as cursor:
        _copy(cursor, model, columns, [f"{cid}\t{suffix}" for cid in contact_ids])


def copy_lines(model, columns, rows):
    """`rows` (tuples of `columns`) in COPY's text format, one string a row, no newline.
    Formatting here, one formatter per column type, is several times cheaper than
    psycopg's per-value adaptation (the largest client cost of an import)."""
    fields = {f.attname: f for f in model._meta.concrete_fields}
    formatters = [_formatter(fields[c]) for c in columns]
    return ["\t".join([fmt(v) for fmt, v in zip(formatters, row, strict=True)]) for row in rows]


def _copy(cursor, model, columns, lines):
    fields = {f.attname: f for f in model._meta.concrete_fields}
    quote = connection.ops.quote_name
    names = ", ".join(quote(fields[c].column) for c in columns)
    with cursor.copy(f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN") as copy:
        for start in range(0, len(lines), 1000):
            copy.write("\n".join(lines[start : start + 1000]) + "\n")


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
NULL = "\\N"


def _copy_text(value):
    if value is None:
        return NULL
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_COPY_ESCAPES)
    return value


def _copy_bytes(value):
    return NULL if value is None else "\\\\x" + bytes(value).hex()


def _copy_number(value):
    return NULL if value is None else str(int(value))


def _copy_bool(value):
    return NULL if value is None else ("t" if value else "f")


def _memoised(encode):
    """A formatter for values a batch shares (its timestamp, its detail dict): each
    distinct object is encoded once."""
    last = [None, None]

    def format_value(value):
        if value is None:
            return NULL
        if value is not last[0]:
            last[0], last[1] = value, encode(value)
        return last[1]

    return format_value


def _formatter(field):
    kind = field.get_internal_type()
    if kind == "BinaryField":
        return _copy_bytes
    if kind in ("CharField", "TextField", "SlugField"):
        return _copy_text
    if kind == "BooleanField":
        return _copy_bool
    if kind in ("AutoField", "BigAutoField", "IntegerField", "BigIntegerField", "PositiveIntegerField") or (
        field.is_relation
    ):
        return _copy_number
    if kind == "DateTimeField":
        return _memoised(lambda value: value.isoformat())
    if kind == "JSONField":
        return _memoised(lambda value: json.dumps(value, ensure_ascii=False).translate(_COPY_ESCAPES))
    raise TypeError(f"insert_rows cannot COPY a {kind}")


def import_file(path, contact_list, actor=None, encoding="auto", dry_run=False, file_name=None, job=None, **kw):
    """Import a CSV into `contact_list`. Raises ImportFailed (nothing written) for an
    unreadable file; otherwise returns a Result. See the module docstring."""
    importer = Importer(contact_list, actor=actor, file_name=file_name or Path(path).name, job=job, dry_run=dry_run)
    return importer.run(path, encoding=encoding, **kw)
