"""CSV import of contacts: one code path for the command, the worker task and the bench.

The file is streamed twice and never held in memory:

1. ``inspect`` (sniff.py): choose the encoding, prove the WHOLE file decodes and is
   not binary, sniff the delimiter and map the header. Anything fatal is raised
   there as ImportFailed, before a single row is written.
2. ``import_file``: read rows (rows.py) in batches. Each batch costs a fixed number of
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

import queue
import threading
from dataclasses import dataclass, field
from pathlib import Path

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core.db.copy import copy_lines, insert_rows

from .. import crypto
from ..labels import label_index
from ..models import ConsentEvent, Contact, Membership, Tag
from .rows import parse_row, read_rows
from .sniff import inspect
from .writer import CONTACT_COLUMNS, contact_values, contacts_where, insert_for_contacts, refresh_statistics

BATCH = 5000
# Errors beyond this many are counted but not listed (memory stays bounded).
MAX_LISTED_ERRORS = 10_000
# After a bulk load the planner's row estimates are stale until autovacuum catches up;
# with them, a list filter over 100k fresh members took 270 ms instead of 70 ms.
ANALYZE_AFTER = 1000
OPTED_OUT = ("unsubscribed", "bounced", "complained")
# What a row's status records as consent history: the file's say, with the column.
CONSENT_KIND = {
    "subscribed": ConsentEvent.Kind.SUBSCRIBED.value,
    "unsubscribed": ConsentEvent.Kind.UNSUBSCRIBED.value,
    "bounced": ConsentEvent.Kind.BOUNCED.value,
    "complained": ConsentEvent.Kind.COMPLAINED.value,
    "pending": ConsentEvent.Kind.REQUESTED.value,
}


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
        """A row not imported (`reason` a RowError), or a field left out of an imported row
        (a FieldError, listed with its field)."""
        self.error_count += 1
        if len(self.errors) < MAX_LISTED_ERRORS:
            entry = {"line": line, "reason": reason}
            if getattr(reason, "field", ""):
                entry["field"] = reason.field
            self.errors.append(entry)

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


@dataclass
class Changes:
    """See Importer._changes."""

    joined: list = field(default_factory=list)
    fills: list = field(default_factory=list)  # (contact, row, fill the phone?, fill the names?)
    tags: set = field(default_factory=set)  # (contact id, tag's blind index)
    opt_outs: list = field(default_factory=list)  # (contact, row): the file says they opted out or bounced

    @property
    def updated_ids(self):
        return (
            set(self.joined)
            | {contact.pk for contact, *_rest in self.fills}
            | {pk for pk, _name in self.tags}
            | {contact.pk for contact, _row in self.opt_outs}
        )


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
        self.tag_ids = {}  # tag's blind index -> id
        self.tag_keys = {}  # tag name as written -> its blind index

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
                parsed = parse_row(cells, plan.columns, first, ring, plan)
                if isinstance(parsed, str):
                    result.error(first, parsed)
                    parsed = None
                for problem in parsed.problems if parsed else ():
                    result.error(first, problem)
                if parsed and line > start_line:
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
        values = contact_values(batch.rows, ring, batch.now)
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
        for contact in contacts_where("email_hash", emails):
            found[("e", contact.email_hash)] = contact
        phones = [r.phone_hash for r in rows if not r.email_hash]
        for contact in contacts_where("phone_hash", phones, email_is_null=True):
            found.setdefault(("p", contact.phone_hash), contact)
        return found

    def _tag_key(self, name):
        """A tag is found by the blind index of its normalised name (its name is encrypted),
        so "Press" and "press" in one file are one tag. None for a name of only marks."""
        key = self.tag_keys.get(name)
        if key is None and name not in self.tag_keys:
            if len(self.tag_keys) >= 10_000:  # a file of countless tags keeps memory bounded
                self.tag_keys.clear()
            key = self.tag_keys[name] = label_index(name, "tag")
        return key

    def _tag_links(self, pk, row):
        return {(pk, key) for name in row.tags if (key := self._tag_key(name))}

    def _tags(self, keys, spelled):
        """Ids of the tags with these blind indexes, created (named as first `spelled`) if missing."""
        missing = {k for k in keys if k not in self.tag_ids}
        if missing:
            Tag.objects.bulk_create([Tag(name=spelled[k]) for k in missing], ignore_conflicts=True)
            self.tag_ids.update(Tag.objects.filter(name_hash__in=missing).values_list("name_hash", "id"))
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
            # An opt-out elsewhere is honoured; a file never re-subscribes anyone, nor turns
            # a subscribed contact back to awaiting confirmation.
            if row.status in OPTED_OUT and contact.status in (Contact.Status.SUBSCRIBED, Contact.Status.PENDING):
                changes.opt_outs.append((contact, row))
        wanted = set().union(*(self._tag_links(contact.pk, row) for row, contact in old))
        if wanted:
            have = Contact.tags.through.objects.filter(contact_id__in={pk for pk, _key in wanted})
            changes.tags = wanted - set(have.values_list("contact_id", "tag__name_hash"))
        return changes

    def _consent(self, new_ids, joined, opt_outs, rows, now):
        """Consent events for a batch: SUBSCRIBED for whom the file lists as subscribed and who
        joined the list; for new contacts it says opted out, bounced or awaiting confirmation,
        and existing ones it moves to such a status (moved here), the matching event naming
        the file and the column that said so. One insert a group."""
        for status in OPTED_OUT:
            ids = [contact.pk for contact, row in opt_outs if row.status == status]
            if ids:
                Contact.objects.filter(pk__in=ids).update(status=status, updated=now)
        groups = {("subscribed", ""): [pk for pk in new_ids + joined if rows[pk].status == "subscribed"]}
        for pk in new_ids:
            if rows[pk].status != "subscribed":
                groups.setdefault((rows[pk].status, rows[pk].status_column), []).append(pk)
        for contact, row in opt_outs:
            groups.setdefault((row.status, row.status_column), []).append(contact.pk)
        base = {"file": self.file_name}
        if self.job is not None:
            base["job"] = self.job.pk
        for (status, column), ids in groups.items():
            insert_for_contacts(
                ConsentEvent,
                ids,
                {
                    "kind": CONSENT_KIND[status],
                    "method": "import",
                    "contact_list_id": self.contact_list.pk,
                    "actor_id": self.actor.pk if self.actor else None,
                    "detail": {**base, "column": column} if column else base,
                    "created": now,
                },
            )

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
                contact.phone_verified = row.phone_verified
            if names:
                contact.given_name_enc = crypto.encrypt(row.given_name)
                contact.family_name_enc = crypto.encrypt(row.family_name)
            contact.updated = now
        if changes.fills:
            Contact.objects.bulk_update(
                [contact for contact, *_rest in changes.fills],
                ["phone_enc", "phone_hash", "phone_verified", "given_name_enc", "family_name_enc", "updated"],
            )

        list_id = self.contact_list.pk
        insert_for_contacts(
            Membership, new_ids + changes.joined, {"contact_list_id": list_id, "subscribed": True, "created": now}
        )
        rows = dict(zip(new_ids, new_rows, strict=True))
        rows.update((contact.pk, row) for row, contact in old)
        self._consent(new_ids, changes.joined, changes.opt_outs, rows, now)

        links = set(changes.tags).union(*(self._tag_links(pk, row) for pk, row in zip(new_ids, new_rows, strict=True)))
        if links:
            spelled = {}
            for row in new_rows + [row for row, _c in old]:
                for name in row.tags:
                    spelled.setdefault(self._tag_key(name), name)
            tag_ids = self._tags({key for _pk, key in links}, spelled)
            insert_rows(Contact.tags.through, ("contact_id", "tag_id"), sorted({(pk, tag_ids[k]) for pk, k in links}))
        updated = changes.updated_ids
        # What later rows added to a new contact counts as an update, as it would had they
        # come in a later batch; for an existing contact, _changes has already decided.
        skipped = batch.duplicates + sum(row.merged for row, _c in old) + len(old) - len(updated)
        return len(new_ids), len(updated) + sum(row.merged for row in new_rows), skipped


def import_file(path, contact_list, actor=None, encoding="auto", dry_run=False, file_name=None, job=None, **kw):
    """Import a CSV into `contact_list`. Raises ImportFailed (nothing written) for an
    unreadable file; otherwise returns a Result. See the module docstring."""
    importer = Importer(contact_list, actor=actor, file_name=file_name or Path(path).name, job=job, dry_run=dry_run)
    return importer.run(path, encoding=encoding, **kw)
