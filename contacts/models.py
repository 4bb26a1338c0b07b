"""Supporters, their lists, tags, saved segments and consent history.

Names, email, phone and notes are stored only as AES-GCM ciphertext (see
contacts/crypto.py) in the ``*_enc`` columns and exposed as plain Python
attributes (``contact.email``...) that decrypt on first access and encrypt when
set. Exact lookups go through the keyed blind indexes ``email_hash`` and
``phone_hash``; nothing in a row's clear columns names or reaches a person.
"""

from pathlib import Path

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.db.models.signals import post_delete
from django.dispatch import Signal, receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import crypto
from .labels import encrypted_label, label_index
from .limits import FloodCounter  # noqa: F401 (a model of this app, defined with its logic)

# Every value rotate_encryption_key re-encrypts, as ``<name>_enc`` columns.
ENCRYPTED_FIELDS = ("given_name", "family_name", "email", "phone", "notes", "city", "neighbourhood")
# The labels (see contacts/labels.py): the columns behind each, for save(update_fields=...).
LABEL_COLUMNS = {name: (f"{name}_enc", f"{name}_hash") for name in ("city", "neighbourhood")}


def encrypted(name, index_kind=None):
    """A property over the ``<name>_enc`` column: decrypts lazily, encrypts on set,
    and keeps ``<index_kind>_hash`` in step when the value is an email or phone."""
    column = f"{name}_enc"

    def get(self):
        blob = getattr(self, column)
        cached = self._plain.get(name)
        # The cache is tied to the exact bytes object, so refresh_from_db is honoured.
        if cached is None or cached[0] is not blob:
            cached = (blob, crypto.decrypt(blob))
            self._plain[name] = cached
        return cached[1]

    def set(self, value):
        value = (value or "").strip()
        if index_kind == "phone":
            # Stored in E.164 when it is a valid or plausible number, so every spelling looks
            # the same; only a number phonenumbers validates counts as verified.
            value = crypto.phone_key(value) or value
            self.phone_verified = not value or bool(crypto.normalise_phone(value))
        blob = crypto.encrypt(value)
        setattr(self, column, blob)
        self._plain[name] = (blob, value)
        if index_kind:
            setattr(self, f"{index_kind}_hash", crypto.blind_index(value, index_kind))

    return property(get, set, doc=f"{name}, decrypted on access (stored encrypted in {column})")


class ContactManager(models.Manager):
    def by_email(self, email):
        """The contact with this email (blind-index lookup, any status), or None."""
        digest = crypto.blind_index(email, "email")
        if not digest:
            return None
        return self.filter(email_hash=digest).first()

    def by_phone(self, phone):
        """Contacts with this phone number (a family may share one), newest first."""
        digest = crypto.blind_index(phone, "phone")
        return self.filter(phone_hash=digest) if digest else self.none()


class Contact(models.Model):
    """A supporter. Field names follow the OSDI person where natural."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting confirmation")
        SUBSCRIBED = "subscribed", _("Subscribed")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        BOUNCED = "bounced", _("Bounced")
        COMPLAINED = "complained", _("Complained")

    class Language(models.TextChoices):
        ARABIC = "ar", _("Arabic")
        ENGLISH = "en", _("English")
        TURKISH = "tr", _("Turkish")

    given_name_enc = models.BinaryField(default=b"", editable=False)
    family_name_enc = models.BinaryField(default=b"", editable=False)
    email_enc = models.BinaryField(default=b"", editable=False)
    phone_enc = models.BinaryField(default=b"", editable=False)
    notes_enc = models.BinaryField(default=b"", editable=False)
    # Unique: one contact per email address. NULL (no email) is allowed many times.
    email_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    phone_hash = models.CharField(max_length=64, null=True, blank=True, db_index=True, editable=False)
    # False for a number kept as entered because phonenumbers does not know its range yet
    # (Syrian mobiles +96391…, +96392…, +96397…): possible by its length, not validated.
    phone_verified = models.BooleanField(_("phone verified"), default=True, editable=False)

    # Where a supporter lives, tied to their id, is as telling as their name: encrypted,
    # with a blind index for the exact-match filters (contacts/labels.py).
    city_enc = models.BinaryField(default=b"", editable=False)
    neighbourhood_enc = models.BinaryField(default=b"", editable=False)
    # No indexes on the city and neighbourhood, status or created: together they doubled
    # the database's work per imported contact, while pages walk the primary key newest-first
    # and check these filters on the way (counts stop at 10,000), which stays fast at 100k+.
    city_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)
    neighbourhood_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)

    language = models.CharField(_("preferred language"), max_length=2, choices=Language.choices, default="ar")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBSCRIBED)
    source = models.CharField(_("source"), max_length=40, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    lists = models.ManyToManyField(
        "ContactList", through="Membership", related_name="contacts", blank=True, verbose_name=_("lists")
    )
    tags = models.ManyToManyField("Tag", related_name="contacts", blank=True, verbose_name=_("tags"))

    objects = ContactManager()

    given_name = encrypted("given_name")
    family_name = encrypted("family_name")
    email = encrypted("email", index_kind="email")
    phone = encrypted("phone", index_kind="phone")
    notes = encrypted("notes")
    city = encrypted_label("city")
    neighbourhood = encrypted_label("neighbourhood")

    class Meta:
        ordering = ["-id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        permissions = [("export_contacts", "Can export contacts")]

    def __init__(self, *args, **kwargs):
        self._plain = {}
        super().__init__(*args, **kwargs)

    def __str__(self):
        return f"contact #{self.pk}"

    def save(self, *args, update_fields=None, **kwargs):
        # "city" in update_fields means its ciphertext and its blind index.
        if update_fields is not None:
            update_fields = [column for name in update_fields for column in LABEL_COLUMNS.get(name, (name,))]
        super().save(*args, update_fields=update_fields, **kwargs)

    def get_absolute_url(self):
        return reverse("contacts:detail", args=[self.pk])

    @property
    def full_name(self):
        return " ".join(part for part in (self.given_name, self.family_name) if part)

    @property
    def is_sendable(self):
        return self.status in self.Status.SENDABLE

    def _move(self, new_status, allowed_from=None):
        """Conditionally update the status in the database; True if this call changed it."""
        rows = Contact.objects.filter(pk=self.pk).exclude(status=new_status)
        if allowed_from is not None:
            rows = rows.filter(status__in=allowed_from)
        changed = rows.update(status=new_status, updated=timezone.now()) == 1
        if changed:
            self.status = new_status
        return changed

    def unsubscribe(self, method, message=None, campaign=None, actor=None):
        """Stop all sending to this contact. Idempotent: only the first call records a
        ConsentEvent UNSUBSCRIBED; returns True when this call changed the status. A
        bounced or complained contact keeps that status (it already stops all sending,
        and says more). `message` may be a messaging Message or its id."""
        message_id = getattr(message, "pk", message)
        if campaign is None and message is not None:
            campaign_id = getattr(message, "campaign_id", None)
        else:
            campaign_id = getattr(campaign, "pk", campaign)
        with transaction.atomic():
            if not self._move(self.Status.UNSUBSCRIBED, allowed_from=[self.Status.SUBSCRIBED, self.Status.PENDING]):
                return False
            ConsentEvent.objects.create(
                contact=self,
                kind=ConsentEvent.Kind.UNSUBSCRIBED,
                method=method,
                campaign_id=campaign_id,
                message_id=message_id,
                actor=actor,
            )
        return True

    def suppress(self, kind, method="webhook", message=None, detail=None):
        """Mark the address bounced or complained (no more sending). Records a ConsentEvent
        the first time; repeated reports of the same kind are no-ops. Returns True if changed."""
        if kind not in (self.Status.BOUNCED, self.Status.COMPLAINED):
            raise ValueError(f"suppress() takes 'bounced' or 'complained', not {kind!r}")
        with transaction.atomic():
            if not self._move(kind):
                return False
            ConsentEvent.objects.create(
                contact=self,
                kind=kind,
                method=method,
                message_id=getattr(message, "pk", message),
                detail=detail or {},
            )
        return True

    def confirm(self, method="signup_form", campaign=None, print_run=None, contact_list=None):
        """Double opt-in completed: the contact becomes SUBSCRIBED (from any other status —
        clicking the link is fresh consent) and a ConsentEvent CONFIRMED is recorded with
        the campaign and print run it came from. Idempotent: already subscribed (and on the
        list, if one is given) → False."""
        with transaction.atomic():
            joined = False
            if contact_list is not None:
                joined = (
                    Membership.objects.filter(contact=self, contact_list=contact_list, subscribed=False).update(
                        subscribed=True
                    )
                    == 1
                    or Membership.objects.get_or_create(contact=self, contact_list=contact_list)[1]
                )
            # A (re)joined list is consent worth recording even when the status stays.
            if not self._move(self.Status.SUBSCRIBED) and not joined:
                return False
            ConsentEvent.objects.create(
                contact=self,
                kind=ConsentEvent.Kind.CONFIRMED,
                method=method,
                campaign=campaign,
                print_run=print_run,
                contact_list=contact_list,
            )
        return True

    def leave_list(self, contact_list, method="preferences", actor=None):
        """Unsubscribe from one list only (membership kept with subscribed=False)."""
        with transaction.atomic():
            changed = (
                Membership.objects.filter(contact=self, contact_list=contact_list, subscribed=True).update(
                    subscribed=False
                )
                == 1
            )
            if changed:
                ConsentEvent.objects.create(
                    contact=self,
                    kind=ConsentEvent.Kind.LIST_LEFT,
                    method=method,
                    contact_list=contact_list,
                    actor=actor,
                )
        return changed

    def change_language(self, language, method="preferences", actor=None):
        if language == self.language or language not in self.Language.values:
            return False
        with transaction.atomic():
            old, self.language = self.language, language
            self.save(update_fields=["language", "updated"])
            ConsentEvent.objects.create(
                contact=self,
                kind=ConsentEvent.Kind.LANGUAGE_CHANGED,
                method=method,
                actor=actor,
                detail={"from": old, "to": language},
            )
        return True

    def erase(self, by, method="organizer"):
        """Forget this contact: the row (with every encrypted field, both blind indexes,
        list memberships and tags) is deleted. Consent history stays as anonymous events
        (contact set to NULL, their details emptied) so campaign and print-run signup
        counts do not change, and an ERASED event plus an audit entry record who did it.
        Apps above contacts forget what they keep about the contact through the
        `contact_erased` signal, in the same transaction; mail to them in the local outbox
        goes once it commits. (Import error reports need nothing: they hold line numbers
        and reasons, never a row's content.) Returns the former id."""
        from accounts.models import audit
        from core.mail import forget_recipient

        former_id, address = self.pk, self.email
        with transaction.atomic():
            # Mail to them in the local outbox (the default when no provider is set) goes too.
            transaction.on_commit(lambda: forget_recipient(address))
            audit(by, "contact.erase", self)
            # Details are ids, file names, providers, languages: nothing an anonymous count
            # needs, and each a thread back to the person.
            ConsentEvent.objects.filter(contact=self).update(detail={})
            contact_erased.send(sender=Contact, contact_id=former_id)
            ConsentEvent.objects.create(
                contact=None,
                kind=ConsentEvent.Kind.ERASED,
                method=method,
                actor=by if getattr(by, "is_authenticated", False) else None,
                detail={"contact_id": former_id},
            )
            self.delete()
        return former_id


# Only these statuses may receive newsletters. Set after the class body so the
# enum does not turn it into a member.
Contact.Status.SENDABLE = (Contact.Status.SUBSCRIBED.value,)

# Sent by Contact.erase (keyword `contact_id`) inside its transaction, before the row is
# deleted: apps above contacts that keep something about a contact (messaging's
# deliveries) connect here from their AppConfig.ready() and forget it. A receiver that
# fails aborts the erasure, so nothing is half forgotten.
contact_erased = Signal()


class ContactList(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("list")
        verbose_name_plural = _("lists")

    def __str__(self):
        return self.name


class Membership(models.Model):
    """A contact on a list. `subscribed` turns off when they leave only this list."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="memberships")
    # The unique (contact_list, contact) index serves list lookups too; a second index on
    # contact_list would only be one more thing every imported row has to update.
    contact_list = models.ForeignKey(ContactList, on_delete=models.CASCADE, related_name="memberships", db_index=False)
    subscribed = models.BooleanField(default=True)
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contact_list", "contact"], name="unique_membership")]

    def __str__(self):
        return f"contact #{self.contact_id} on list #{self.contact_list_id}"


class TagManager(models.Manager):
    def by_name(self, name):
        """The tag called `name` in any spelling of case, spaces or Arabic (see
        contacts/labels.py), or None."""
        digest = label_index(name, "tag")
        return self.filter(name_hash=digest).first() if digest else None

    def named(self, name):
        """The tag called `name`, created if there is none (safe against a concurrent create)."""
        return self.get_or_create(name_hash=label_index(name, "tag"), defaults={"name": name})[0]

    def sorted(self, tags=None):
        """`tags` (default: all) as a list in the order of their names: the names are
        encrypted, so the database cannot sort them; a list of tags is small."""
        return sorted(self.all() if tags is None else tags, key=lambda tag: (tag.name.casefold(), tag.pk))


class Tag(models.Model):
    # A tag's name ("detainee-family") says something about everyone who carries it:
    # encrypted, and unique by the blind index of its normalised form.
    name_enc = models.BinaryField(default=b"", editable=False)
    name_hash = models.CharField(max_length=64, unique=True, editable=False)

    objects = TagManager()

    name = encrypted_label("name", kind="tag")

    class Meta:
        ordering = ["id"]  # by name only in Python: see TagManager.sorted
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __init__(self, *args, **kwargs):
        self._plain = {}
        super().__init__(*args, **kwargs)

    def __str__(self):
        return self.name


class Segment(models.Model):
    """A saved filter over contacts. `filters` keys (all optional):
    lists, tags: [ids] (contact is in any of them; lists count only subscribed memberships);
    language, status: [codes]; city: str; neighbourhood: str;
    created_after, created_before: "YYYY-MM-DD" (inclusive)."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(default=timezone.now, editable=False)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("contacts:segment", args=[self.pk])

    def contacts(self):
        """The contacts matching the filters now (any status unless the filters say;
        senders must still restrict to Contact.Status.SENDABLE)."""
        from .filters import apply_filters

        return apply_filters(Contact.objects.all(), self.filters)

    def sendable_contacts(self):
        return self.contacts().filter(status__in=Contact.Status.SENDABLE)


class ConsentEvent(models.Model):
    """One step of a contact's consent history. Never deleted or rewritten; after
    erasure the event stays with contact=NULL so anonymous counts survive."""

    class Kind(models.TextChoices):
        REQUESTED = "requested", _("Signup requested")
        CONFIRMED = "confirmed", _("Signup confirmed")
        SUBSCRIBED = "subscribed", _("Subscribed by an organizer")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        BOUNCED = "bounced", _("Bounced")
        COMPLAINED = "complained", _("Complained")
        LIST_LEFT = "list_left", _("Left a list")
        LANGUAGE_CHANGED = "language_changed", _("Language changed")
        ERASED = "erased", _("Erased")

    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="consent_events"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    method = models.CharField(max_length=40, blank=True)
    # Imports write one event per contact, so only indexes that pages and counts use are
    # kept (each index is paid for on every imported row); the composites below start
    # with campaign / print_run and so also serve those foreign keys.
    contact_list = models.ForeignKey(
        ContactList, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consent_events",
        db_index=False,
    )
    print_run = models.ForeignKey(
        "flyers.PrintRun",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consent_events",
        db_index=False,
    )
    # A messaging.Message id; not a foreign key so contacts does not depend on messaging.
    message_id = models.BigIntegerField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    # Never names, emails or phones: ids, counts, file names, language codes.
    detail = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("consent event")
        verbose_name_plural = _("consent events")
        indexes = [
            # Partial: imported events carry neither, and need not pay for these indexes.
            models.Index(
                fields=["campaign", "kind"], name="consent_campaign_kind", condition=Q(campaign__isnull=False)
            ),
            models.Index(
                fields=["print_run", "kind"], name="consent_print_run_kind", condition=Q(print_run__isnull=False)
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.created:%Y-%m-%d}"


class ImportJob(models.Model):
    """One CSV import run by the worker. The uploaded file lives under VAR_DIR/imports,
    never in the database; `line` is the checkpoint committed with each batch, so a
    job restarted after a crash resumes after the last whole batch."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    contact_list = models.ForeignKey(ContactList, on_delete=models.CASCADE, related_name="import_jobs")
    file_name = models.CharField(max_length=255)
    path = models.CharField(max_length=500)
    size = models.BigIntegerField(default=0)
    encoding = models.CharField(max_length=20, default="auto")
    # The uploader's interface language: the worker writes messages and the report in it.
    language = models.CharField(max_length=8, default="ar")
    detected_encoding = models.CharField(max_length=20, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED, db_index=True)
    bytes_done = models.BigIntegerField(default=0)
    line = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    # First errors only ({"line", "reason"}); the full list is in the error report file.
    errors = models.JSONField(default=list, blank=True)
    unknown_columns = models.JSONField(default=list, blank=True)
    # Columns the organizer mapped by hand, {header: field} (importing/mapping.py); {}: as detected.
    mapping = models.JSONField(default=dict, blank=True)
    failure = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(default=timezone.now, editable=False)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self):
        return f"import #{self.pk}"

    def get_absolute_url(self):
        return reverse("contacts:import_job", args=[self.pk])

    @property
    def percent(self):
        if self.state == self.State.DONE:
            return 100
        return min(99, int(self.bytes_done * 100 / self.size)) if self.size else 0

    @property
    def is_finished(self):
        return self.state in (self.State.DONE, self.State.FAILED)

    def claim(self):
        """Move QUEUED (or RUNNING after a worker died) to RUNNING; False if finished."""
        claimed = (
            ImportJob.objects.filter(pk=self.pk, state__in=[self.State.QUEUED, self.State.RUNNING]).update(
                state=self.State.RUNNING
            )
            == 1
        )
        if claimed:
            self.state = self.State.RUNNING
        return claimed


@receiver(post_delete, sender=ImportJob)
def _discard_upload(sender, instance, **kwargs):
    """The upload holds supporters' data in clear: it goes with its job, also when the
    job goes because its list was deleted before the worker ran it."""
    if instance.path:
        Path(instance.path).unlink(missing_ok=True)


class ImportMapping(models.Model):
    """Columns mapped by hand, saved under a name for the next file of the same shape:
    `columns` {header: field} (importing/mapping.py) and the `headers` of the file it was
    made for (a file with the same headers gets it pre-selected). Column names, no data."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    columns = models.JSONField(default=dict)
    headers = models.JSONField(default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("contacts:import_mapping", args=[self.pk])

    def fields(self):
        """(header, what it is, in words) for each column, in the file's order (a JSON
        object's keys keep no order in PostgreSQL, so `headers` gives it)."""
        from .importing.mapping import LABELS, OTHER_LABELS

        labels = {**LABELS, **OTHER_LABELS}
        order = list(dict.fromkeys(h.strip() for h in self.headers if h.strip() in self.columns))
        order += [header for header in self.columns if header not in order]
        return [(header, labels.get(self.columns[header], self.columns[header])) for header in order]
