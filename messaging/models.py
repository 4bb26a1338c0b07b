"""Newsletters (Message) and their per-recipient deliveries (Delivery).

Every state change is a conditional UPDATE (`filter(pk=..., status=OLD)
.update(status=NEW)`), so two web requests, two beat instances or two workers
racing for the same change cannot both win.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import EmptyResultSet, ValidationError
from django.db import connection, models, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.i18n import bilingual

from . import compose

# The reason planning records for an audience contact without an email address.
NO_EMAIL = "no email"


@dataclass(frozen=True)
class Review:
    """Who a send would reach (Message.review): {version language: recipients} and
    {reason: supporters skipped}, the reason being a contact status or NO_EMAIL."""

    by_language: dict
    suppressed: dict

    @property
    def recipients(self):
        return sum(self.by_language.values())

    @property
    def suppressed_total(self):
        return sum(self.suppressed.values())


class Message(models.Model):
    class Wait(models.TextChoices):
        """Why a send is waiting (messaging/activity.py words it for the page)."""

        PROVIDER_UNAVAILABLE = "provider_unavailable", _("Mail server unreachable")  # stored by the batch
        NO_WORKER = "no_worker", _("Waiting for a worker")  # derived from claims and leases
        PAUSED = "paused", _("Paused")
        RATE_LIMITED = "rate_limited", _("Rate limited")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        PAUSED = "paused", _("Paused")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
        verbose_name=_("campaign"),
    )
    subject_ar = models.CharField(_("subject (Arabic)"), max_length=200, blank=True)
    body_ar = models.TextField(_("body (Arabic)"), blank=True)
    subject_en = models.CharField(_("subject (English)"), max_length=200, blank=True)
    body_en = models.TextField(_("body (English)"), blank=True)
    lists = models.ManyToManyField("contacts.ContactList", blank=True, related_name="+", verbose_name=_("lists"))
    tags = models.ManyToManyField("contacts.Tag", blank=True, related_name="+", verbose_name=_("tags"))
    segment = models.ForeignKey(
        "contacts.Segment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("saved segment"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    send_at = models.DateTimeField(_("send at"), null=True, blank=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Bumped by workers after every batch; the sweep restarts a send that stopped moving.
    last_progress = models.DateTimeField(null=True, blank=True)
    planned_count = models.PositiveIntegerField(default=0)
    planning_seconds = models.FloatField(null=True, blank=True)
    # Why the send is waiting, when a batch stopped for it (a Wait code; "" while it moves),
    # since when, and the scrubbed error class (never an address): shown on its page.
    wait_reason = models.CharField(max_length=32, blank=True)
    wait_since = models.DateTimeField(null=True, blank=True)
    wait_detail = models.CharField(max_length=120, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created = models.DateTimeField(default=timezone.now, editable=False)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("newsletter")
        verbose_name_plural = _("newsletters")

    def __str__(self):
        return self.subject or f"#{self.pk}"

    def get_absolute_url(self):
        return reverse("messaging:detail", args=[self.pk])

    @property
    def subject(self):
        return bilingual(self, "subject")

    @property
    def languages(self):
        return [code for code in ("ar", "en") if getattr(self, f"body_{code}").strip()]

    def content_for(self, language):
        """(language, subject, body) for a recipient preferring `language`, falling back
        to the other version when that one is empty."""
        # Turkish speakers read English before Arabic, as in their confirmation mail.
        order = ["en", "ar"] if language in ("en", "tr") else ["ar", "en"]
        for code in order:
            if getattr(self, f"body_{code}").strip():
                return code, getattr(self, f"subject_{code}"), getattr(self, f"body_{code}")
        raise ValidationError(_("The newsletter has no body."))

    def clean(self):
        if not self.languages:
            raise ValidationError(_("Write the newsletter in Arabic, English or both."))
        errors = {}
        for code in ("ar", "en"):
            if getattr(self, f"body_{code}").strip() and not getattr(self, f"subject_{code}").strip():
                errors[f"subject_{code}"] = _("A version with a body needs a subject.")
            for field in (f"subject_{code}", f"body_{code}"):
                problems = compose.merge_field_errors(getattr(self, field))
                if problems:
                    errors[field] = problems
        if errors:
            raise ValidationError(errors)

    @property
    def is_editable(self):
        return self.status in (self.Status.DRAFT, self.Status.SCHEDULED)

    def has_audience(self):
        return self.segment_id is not None or self.lists.exists() or self.tags.exists()

    def audience(self):
        """Contacts this message is addressed to (any status; planning sorts out who is sendable)."""
        from contacts.models import Contact, Membership

        query = models.Q(pk__in=[])
        list_ids = list(self.lists.values_list("pk", flat=True))
        if list_ids:
            query |= models.Exists(
                Membership.objects.filter(contact=models.OuterRef("pk"), contact_list_id__in=list_ids, subscribed=True)
            )
        tag_ids = list(self.tags.values_list("pk", flat=True))
        if tag_ids:
            through = Contact.tags.through
            query |= models.Exists(through.objects.filter(contact=models.OuterRef("pk"), tag_id__in=tag_ids))
        if self.segment_id:
            query |= models.Q(pk__in=self.segment.contacts().values("pk"))
        return Contact.objects.filter(query)

    def note_waiting(self, reason, detail=""):
        """A batch stopped for `reason` (e.g. the mail server is unreachable): keep the time
        it first happened, so the page can say "since 10:42"."""
        now = timezone.now()
        Message.objects.filter(pk=self.pk).exclude(wait_reason=reason).update(wait_reason=reason, wait_since=now)
        Message.objects.filter(pk=self.pk).update(wait_detail=detail[:120])

    def clear_waiting(self):
        """Rows went out again: the send is no longer waiting."""
        Message.objects.filter(pk=self.pk).exclude(wait_reason="").update(
            wait_reason="", wait_since=None, wait_detail=""
        )

    def _move(self, old, new, **fields):
        old = old if isinstance(old, list | tuple) else [old]
        moved = Message.objects.filter(pk=self.pk, status__in=old).update(status=new, updated=timezone.now(), **fields)
        if moved == 1:
            self.status = new
            for name, value in fields.items():
                setattr(self, name, value)
        return moved == 1

    def schedule(self, at=None):
        """Draft → scheduled for `at` (now when None). The beat sweep starts it once due.
        Raises ValidationError when it has no content or no audience."""
        self.full_clean(exclude=["lists", "tags", "segment"])
        if not self.has_audience():
            raise ValidationError(_("Choose at least one list, tag or saved segment."))
        editable = [self.Status.DRAFT, self.Status.SCHEDULED]
        if not self._move(editable, self.Status.SCHEDULED, send_at=at or timezone.now()):
            raise ValidationError(_("Only a draft can be scheduled."))

    def unschedule(self):
        """Scheduled → draft, as long as the sweep has not started it."""
        return self._move(self.Status.SCHEDULED, self.Status.DRAFT, send_at=None)

    def start(self, now=None):
        """Scheduled and due → sending, and snapshot the audience into Delivery rows, in one
        transaction. Only one caller (of any number of sweeps or beats) can win; the others
        get False. The audience is fixed from here on."""
        now = now or timezone.now()
        if not self.has_audience():
            # Its lists or segment were deleted after it was scheduled: back to the drafts,
            # where the organizer sees it, rather than failing at every sweep.
            self._move(self.Status.SCHEDULED, self.Status.DRAFT, send_at=None)
            return False
        started = timezone.now()
        with transaction.atomic():
            won = (
                Message.objects.filter(pk=self.pk, status=self.Status.SCHEDULED, send_at__lte=now).update(
                    status=self.Status.SENDING, started_at=started, last_progress=started, updated=started
                )
                == 1
            )
            if not won:
                return False
            count = self.plan()
            elapsed = (timezone.now() - started).total_seconds()
            Message.objects.filter(pk=self.pk).update(planned_count=count, planning_seconds=elapsed)
        self.refresh_from_db()
        return True

    def _planned_rows(self):
        """What planning decides for each audience contact, as SQL over `contacts_contact c`:
        (status CASE, its params, reason CASE, its params, "FROM … WHERE …", its params).
        plan() inserts these rows; review() counts them. One definition, so the count an
        organizer confirms is the count the send plans."""
        from contacts.models import Contact

        try:
            audience_sql, audience_params = self.audience().order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:  # no audience chosen yet: Django will not even write the query
            audience_sql, audience_params = "SELECT 0 WHERE 1 = 0", []
        sendable = ", ".join(["%s"] * len(Contact.Status.SENDABLE))
        status_sql = f"""CASE WHEN c.status IN ({sendable}) AND c.email_hash IS NOT NULL AND c.email_hash <> ''
                        THEN %s ELSE %s END"""
        status_params = [*Contact.Status.SENDABLE, Delivery.Status.QUEUED, Delivery.Status.SUPPRESSED]
        reason_sql = f"""CASE WHEN c.status IN ({sendable}) THEN
                        CASE WHEN c.email_hash IS NULL OR c.email_hash = '' THEN '{NO_EMAIL}' ELSE '' END
                        ELSE c.status END"""
        reason_params = [*Contact.Status.SENDABLE]
        source_sql = f"FROM {Contact._meta.db_table} c WHERE c.id IN ({audience_sql})"
        return status_sql, status_params, reason_sql, reason_params, source_sql, list(audience_params)

    def plan(self):
        """Insert one Delivery per audience contact with a single INSERT … SELECT. Contacts that
        may not receive it now (unsubscribed, bounced, complained, unconfirmed, no email) get a
        SUPPRESSED row with the reason. Returns the number of rows planned."""
        status_sql, status_params, reason_sql, reason_params, source_sql, source_params = self._planned_rows()
        sql = f"""
            INSERT INTO {Delivery._meta.db_table}
                (message_id, contact_id, status, language, attempts, error, in_doubt, claimed_by,
                 provider_message_id, created)
            SELECT %s, c.id, {status_sql}, c.language, 0, {reason_sql}, %s, '', '', %s
            {source_sql}
            ON CONFLICT (message_id, contact_id) DO NOTHING
        """  # noqa: S608 - table names come from models, values are parameters
        params = [self.pk, *status_params, *reason_params, False, timezone.now(), *source_params]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.rowcount

    def review(self):
        """Who a send would reach if it started now, counted the way plan() plans it, in one
        grouped query (plus the audience's few): see Review."""
        status_sql, status_params, reason_sql, reason_params, source_sql, source_params = self._planned_rows()
        sql = f"""
            SELECT {status_sql} AS planned, c.language, {reason_sql} AS reason, COUNT(*)
            {source_sql}
            GROUP BY 1, 2, 3
        """  # noqa: S608 - table names come from models, values are parameters
        with connection.cursor() as cursor:
            cursor.execute(sql, [*status_params, *reason_params, *source_params])
            rows = cursor.fetchall()
        by_language, suppressed = {}, {}
        for planned, language, reason, count in rows:
            if planned == Delivery.Status.QUEUED:
                version = self.version_for(language)
                by_language[version] = by_language.get(version, 0) + count
            else:
                suppressed[reason] = suppressed.get(reason, 0) + count
        return Review(by_language=by_language, suppressed=suppressed)

    def version_for(self, language):
        """The language of the version a supporter preferring `language` receives (their
        own when written, else the other one; see content_for)."""
        try:
            return self.content_for(language)[0]
        except ValidationError:
            return "en" if language in ("en", "tr") else "ar"

    def pause(self):
        """Sending → paused. Workers check between small groups, so sending stops within seconds;
        claimed rows they have not sent yet go back to the queue."""
        return self._move(self.Status.SENDING, self.Status.PAUSED)

    def resume(self):
        """Paused → sending. Only QUEUED rows are ever claimed, so nothing is sent twice."""
        return self._move(self.Status.PAUSED, self.Status.SENDING, last_progress=timezone.now())

    def cancel(self):
        """Stop for good: rows still queued become CANCELLED."""
        with transaction.atomic():
            if not self._move(
                [self.Status.DRAFT, self.Status.SCHEDULED, self.Status.SENDING, self.Status.PAUSED],
                self.Status.CANCELLED,
                finished_at=timezone.now(),
            ):
                return False
            Delivery.drop_cancelled(message_id=self.pk)
        return True

    def _lock(self):
        """Lock this message's row until the end of the transaction (PostgreSQL), so that
        finish_if_done() and retry_failed() cannot interleave."""
        return Message.objects.select_for_update().filter(pk=self.pk).values_list("status", flat=True).first()

    def finish_if_done(self):
        """Sending → sent once no row is queued or being sent. The check and the move happen
        under the message's row lock, so rows re-queued meanwhile (retry_failed) are seen."""
        with transaction.atomic():
            if self._lock() != self.Status.SENDING:
                return False
            busy = self.deliveries.filter(status__in=[Delivery.Status.QUEUED, Delivery.Status.SENDING]).exists()
            if busy:
                return False
            return self._move(self.Status.SENDING, self.Status.SENT, finished_at=timezone.now())

    def retry_failed(self):
        """Put only FAILED deliveries back in the queue (sent ones are never touched), with a
        fresh count of attempts, and reopen the message if it had finished. A cancelled message
        stays cancelled. Returns how many were re-queued."""
        with transaction.atomic():
            if self._lock() not in (self.Status.SENDING, self.Status.PAUSED, self.Status.SENT):
                return 0
            count = self.deliveries.filter(status=Delivery.Status.FAILED).update(
                status=Delivery.Status.QUEUED, next_attempt_at=None, claimed_by="", error="", attempts=0
            )
            if count:
                self._move(self.Status.SENT, self.Status.SENDING, finished_at=None, last_progress=timezone.now())
        return count

    def counts(self):
        """Deliveries by state, every state present (zeros included), plus `in_doubt` and `total`."""
        counts = dict.fromkeys(Delivery.Status.values, 0)
        for row in self.deliveries.values("status").annotate(n=Count("id")).order_by():
            counts[row["status"]] = row["n"]
        counts["in_doubt"] = self.deliveries.filter(in_doubt=True).count()
        counts["total"] = sum(counts[s] for s in Delivery.Status.values)
        return counts

    def stats(self):
        """Campaign-dashboard figures: provider events rank upwards (a click implies an open,
        an open implies delivery)."""
        from contacts.models import ConsentEvent

        unsubscribed = ConsentEvent.objects.filter(kind=ConsentEvent.Kind.UNSUBSCRIBED, message_id=self.pk)
        c = self.counts()
        s = Delivery.Status
        return {
            "sent": sum(c[status] for status in Delivery.HANDED_OVER),
            "delivered": sum(c[status] for status in Delivery.DELIVERED),
            "opened": c[s.OPENED] + c[s.CLICKED],
            "clicked": c[s.CLICKED],
            "bounced": c[s.BOUNCED],
            "complained": c[s.COMPLAINED],
            "failed": c[s.FAILED],
            "unsubscribed": unsubscribed.count(),
        }


class Delivery(models.Model):
    """One recipient of one message. Unique per (message, contact): a contact can never be
    planned twice. Only QUEUED rows are claimed; a row left in SENDING by a dead worker is
    "in doubt" (it may or may not have reached the provider)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SUPPRESSED = "suppressed", _("Suppressed")
        CANCELLED = "cancelled", _("Cancelled")
        DELIVERED = "delivered", _("Delivered")
        OPENED = "opened", _("Opened")
        CLICKED = "clicked", _("Clicked")
        BOUNCED = "bounced", _("Bounced")
        COMPLAINED = "complained", _("Complained")
        # The recipient unsubscribed through the provider (its link or its suppression list).
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        # The provider refused or dropped it without trying (address on its suppression
        # list, invalid, content blocked).
        REJECTED = "rejected", _("Rejected")

    # Provider events only ever move a row up this ladder (they can arrive out of order);
    # rows of equal rank do not replace each other.
    EVENT_RANK = {
        "sent": 0,
        "delivered": 1,
        "opened": 2,
        "clicked": 3,
        "rejected": 4,
        "bounced": 4,
        "unsubscribed": 5,
        "complained": 6,
    }
    # Handed to the mail server or provider, whatever happened next.
    HANDED_OVER = ("sent", "delivered", "opened", "clicked", "rejected", "bounced", "unsubscribed", "complained")
    # The one meaning of "delivered", for a newsletter's results and for the campaign goal
    # "messages delivered" (messaging/goals.py): handed to the mail server or provider and
    # neither bounced nor refused by it since. Without a provider (SMTP, the outbox) no
    # event follows "sent", so a sent row counts; a complaint or an unsubscribe through the
    # provider means it arrived. Both pages say so in DELIVERED_MEANS.
    DELIVERED = ("sent", "delivered", "opened", "clicked", "unsubscribed", "complained")
    DELIVERED_MEANS = _(
        "Delivered means handed to the mail server or provider and not bounced or refused since "
        "(without a provider that reports deliveries, every message it accepted)."
    )

    # No index of its own: (message, contact) and (message, status) both start with it.
    # No database constraint either (like `contact`): PostgreSQL would queue one deferred
    # trigger per planned row, about half of planning 100,000 rows. Deleting a message
    # still deletes its deliveries (Django's CASCADE).
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="deliveries", db_index=False, db_constraint=False
    )
    # NULL after the contact is erased: counts survive, the person does not.
    # No database constraint: on PostgreSQL its trigger would take a row lock on every
    # contact while planning 100,000 rows (most of the planning time). Django still applies
    # SET_NULL when a contact is erased, and dispatch treats a missing contact as erased.
    contact = models.ForeignKey(
        "contacts.Contact", null=True, on_delete=models.SET_NULL, related_name="deliveries", db_constraint=False
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    language = models.CharField(max_length=2, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    event_at = models.DateTimeField(null=True, blank=True)
    provider_message_id = models.CharField(max_length=255, blank=True)
    error = models.CharField(max_length=255, blank=True)
    # Re-sent after a worker died while it was SENDING: the recipient may have it twice.
    in_doubt = models.BooleanField(default=False)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [models.UniqueConstraint(fields=["message", "contact"], name="unique_delivery")]
        # Partial indexes: planning inserts 100,000 rows with both columns empty, and an
        # index over empty strings would only slow that down.
        indexes = [
            models.Index(fields=["message", "status"]),
            models.Index(fields=["claimed_by"], condition=~models.Q(claimed_by=""), name="delivery_claimed_by"),
            models.Index(
                fields=["provider_message_id"], condition=~models.Q(provider_message_id=""), name="delivery_provider_id"
            ),
        ]

    def __str__(self):
        return f"delivery #{self.pk} ({self.status})"

    def record_event(self, status, when=None, detail=""):
        """Apply a provider event (a status of EVENT_RANK above "sent") unless the row is
        already further up the ladder. Returns True when the row changed."""
        if self.EVENT_RANK.get(status, -1) <= self.EVENT_RANK.get(self.status, -1):
            return False
        changed = Delivery.objects.filter(pk=self.pk, status=self.status).update(
            status=status, event_at=when or timezone.now(), error=(detail or "")[:255]
        )
        if changed:
            self.status = status
        return changed == 1

    @classmethod
    def release_in_doubt(cls, rows):
        """Put claimed rows left in SENDING by a dead worker back in the queue. A worker sends
        a claim's rows in id order and records each outcome right after the provider accepts
        it, so of each claim only the lowest still-SENDING row can have been in flight: that
        one is flagged in_doubt (its recipient may get the message twice), the rest were never
        attempted. Returns the number of rows re-queued."""
        rows = rows.filter(status=cls.Status.SENDING)
        with transaction.atomic():
            heads = list(rows.values("claimed_by").annotate(first=models.Min("id")).values_list("first", flat=True))
            cls.objects.filter(pk__in=heads, status=cls.Status.SENDING).update(in_doubt=True)
            released = rows.update(status=cls.Status.QUEUED, claimed_by="", claimed_at=None)
            if released:
                cls.drop_cancelled()
        return released

    @classmethod
    def drop_cancelled(cls, **scope):
        """Queued rows of cancelled messages (of `scope`, e.g. message_id=…) become
        CANCELLED. cancel() does this once; rows put back in the queue afterwards (by a
        worker that still held them when the cancel landed, or on release of a dead
        worker's claim) go through it again."""
        return cls.objects.filter(status=cls.Status.QUEUED, message__status=Message.Status.CANCELLED, **scope).update(
            status=cls.Status.CANCELLED
        )

    @classmethod
    def requeue_stale(cls, older_than):
        """Release rows claimed more than `older_than` seconds ago and still SENDING (their
        worker died and its task will not come back soon). See release_in_doubt()."""
        cutoff = timezone.now() - timedelta(seconds=older_than)
        return cls.release_in_doubt(cls.objects.filter(status=cls.Status.SENDING, claimed_at__lt=cutoff))


class WorkerLease(models.Model):
    """One running worker instance (a Celery node's incarnation) that proves it is alive by
    renewing `expires_at`, on the database's clock, every few seconds (messaging/leases.py).
    Deliveries it claims carry its id in `claimed_by` ("<lease>/<task id>"); when the lease
    lapses the sweep gives them back at once."""

    id = models.CharField(primary_key=True, max_length=32)
    node = models.CharField(max_length=200, db_index=True)  # celery@host: stable across restarts
    pid = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    renewed_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    # The latest renewal's lateness and the worst seen, in milliseconds (how the TTL was sized).
    late_ms = models.FloatField(default=0)
    max_late_ms = models.FloatField(default=0)

    class Meta:
        verbose_name = _("worker lease")
        verbose_name_plural = _("worker leases")

    def __str__(self):
        return f"{self.node} ({self.pk})"
