"""A campaign's public asks (petition, pledge, event with shifts) and the people who answer them.

"Action" stays the name of a dated entry in a campaign's history (campaigns.Action); what a
campaign asks supporters to do is an Ask, and one person's answer to it is a Response
(a signature, a pledge or an RSVP).

A Response holds personal data, stored like a contact's: names, email, phone and
neighbourhood only as ciphertext (contacts/crypto.py), with keyed blind indexes for the
exact lookups. `person_hash` (the email's blind index, else the phone's) makes "one per
person per ask" a database constraint. A Response becomes a contact only when its signer
ticked "keep me informed" (see asks/responses.py); otherwise it serves the ask alone and
goes when the ask is deleted.

An event's exact place is encrypted too: a demonstration's meeting point is for the
confirmed attendees' mail, not for a dump of the database or the public page, which shows
`area` only.

Counts never hold a lock on a shared row: a confirmation is one conditional UPDATE of its
own row, and a goal bar is a COUNT over the (ask, status) index (cached for a few seconds
by asks/counts.py). Only events lock their Ask row, to keep capacity, and only while a
confirmation or a withdrawal is decided.
"""

import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from campaigns.models import Campaign
from contacts.labels import encrypted_label
from contacts.models import Contact, encrypted
from core.i18n import bilingual
from flyers.models import PrintRun

TIME_ZONES = sorted(zoneinfo.available_timezones())


class AskQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=Ask.Status.OPEN)

    def public(self):
        """Asks anyone may read: open, closed (their results stay) or cancelled (says so),
        of a campaign that has a public page and is not cancelled; drafts never."""
        return (
            self.exclude(status=Ask.Status.DRAFT)
            .filter(campaign__is_public=True)
            .exclude(campaign__status=Campaign.Status.CANCELLED)
        )

    def current(self, campaign):
        """The campaign's current ask, the one its public page shows first: the open ask with
        the lowest position, newest first among equals; None when nothing is open."""
        return self.open().filter(campaign=campaign).order_by("position", "-id").first()


# Sent after an ask moved to another status (Ask._move's conditional update sends no
# post_save): what keeps copies of asks (public_pages' recent asks) forgets them.
status_changed = Signal()


class Ask(models.Model):
    class Kind(models.TextChoices):
        PETITION = "petition", _("Petition")
        PLEDGE = "pledge", _("Pledge")
        EVENT = "event", _("Event")

    class Status(models.TextChoices):
        # A context of their own: "Open" elsewhere is a verb (the audit log's link), and a
        # catalogue holds one translation per context.
        DRAFT = "draft", pgettext_lazy("status", "Draft")
        OPEN = "open", pgettext_lazy("status", "Open")
        CLOSED = "closed", pgettext_lazy("status", "Closed")
        CANCELLED = "cancelled", pgettext_lazy("status", "Cancelled")

    TRANSITIONS = {
        Status.DRAFT: {Status.OPEN, Status.CANCELLED},
        Status.OPEN: {Status.CLOSED, Status.CANCELLED},
        Status.CLOSED: set(),
        Status.CANCELLED: set(),
    }

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="asks")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    slug = models.SlugField(_("address"), max_length=60)
    position = models.PositiveSmallIntegerField(_("order on the campaign page"), default=0)
    title_ar = models.CharField(_("title (Arabic)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    text_ar = models.TextField(_("text (Arabic)"), blank=True)
    text_en = models.TextField(_("text (English)"), blank=True)
    # Petition: who it is addressed to.
    target_ar = models.CharField(_("addressed to (Arabic)"), max_length=200, blank=True)
    target_en = models.CharField(_("addressed to (English)"), max_length=200, blank=True)
    # Signatures, pledges or attendees wanted.
    goal = models.PositiveIntegerField(_("goal"), null=True, blank=True)

    # Event only.
    starts = models.DateTimeField(_("starts"), null=True, blank=True)
    ends = models.DateTimeField(_("ends"), null=True, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Damascus")
    area_ar = models.CharField(_("area, shown to everyone (Arabic)"), max_length=200, blank=True)
    area_en = models.CharField(_("area, shown to everyone (English)"), max_length=200, blank=True)
    place_enc = models.BinaryField(default=b"", editable=False)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    # The history entry made when the event was closed (asks/closing.py).
    history_action = models.OneToOneField(
        "campaigns.Action", null=True, blank=True, on_delete=models.SET_NULL, related_name="ask", editable=False
    )

    created = models.DateTimeField(default=timezone.now, editable=False)
    updated = models.DateTimeField(auto_now=True)

    objects = AskQuerySet.as_manager()

    # Must not sit readable in a dump; no blind index (nothing looks an event up by its place).
    place = encrypted("place")

    class Meta:
        ordering = ["position", "-id"]
        verbose_name = _("ask")
        verbose_name_plural = _("asks")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "slug"], name="ask_slug_unique_in_campaign"),
            models.CheckConstraint(
                condition=Q(ends__isnull=True) | Q(starts__isnull=True) | Q(ends__gte=models.F("starts")),
                name="ask_ends_after_it_starts",
            ),
        ]

    def __init__(self, *args, **kwargs):
        self._plain = {}  # contacts.models.encrypted's cache of decrypted values
        super().__init__(*args, **kwargs)

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("asks:detail", args=[self.pk])

    @property
    def title(self):
        return bilingual(self, "title")

    @property
    def text(self):
        return bilingual(self, "text")

    @property
    def target(self):
        return bilingual(self, "target")

    @property
    def area(self):
        return bilingual(self, "area")

    @property
    def is_event(self):
        return self.kind == self.Kind.EVENT

    def public_url(self):
        return reverse("public:ask", args=[self.campaign.slug, self.slug])

    def zone(self):
        return zoneinfo.ZoneInfo(self.time_zone)

    def local_starts(self):
        return timezone.localtime(self.starts, self.zone()) if self.starts else None

    def local_ends(self):
        return timezone.localtime(self.ends, self.zone()) if self.ends else None

    def clean(self):
        if not (self.title_ar or self.title_en):
            raise ValidationError(_("Give the ask a title in Arabic or English."), code="no_title")
        if self.time_zone not in zoneinfo.available_timezones():
            raise ValidationError({"time_zone": ValidationError(_("Unknown time zone."), code="unknown_zone")})
        if self.kind == self.Kind.EVENT:
            if not self.starts:
                raise ValidationError({"starts": ValidationError(_("An event needs a start."), code="no_start")})
            if self.ends and self.ends < self.starts:
                later = ValidationError(_("The end is before the start."), code="ends_before_start")
                raise ValidationError({"ends": later})

    def can_move_to(self, status):
        return status in self.TRANSITIONS[self.Status(self.status)]

    def _move(self, status):
        """Move along TRANSITIONS with a conditional update. Guarantee: of two concurrent moves
        from the same state one wins and the other raises ValidationError, changing nothing."""
        status = self.Status(status)
        if not self.can_move_to(status):
            raise ValidationError(
                _("A %(old)s ask cannot become %(new)s.") % {"old": self.get_status_display(), "new": status.label},
                code="bad_transition",
            )
        moved = Ask.objects.filter(pk=self.pk, status=self.status).update(status=status, updated=timezone.now())
        if moved != 1:
            raise ValidationError(_("Someone else changed this ask; reload and try again."), code="changed_meanwhile")
        self.status = status
        status_changed.send(sender=Ask, ask=self)

    def open(self):
        """Draft → open: its page and form go public. Guarantee as `_move`."""
        self._move(self.Status.OPEN)

    def cancel(self):
        """Open or draft → cancelled, then (once the transaction commits) tell every confirmed
        and waitlisted attendee (asks/event_tasks.py). Guarantee: of two concurrent cancels one
        wins and queues the notices; the other raises ValidationError and queues nothing."""
        from .event_tasks import send_cancellation_notices  # the tasks import this module

        self._move(self.Status.CANCELLED)
        pk = self.pk
        transaction.on_commit(lambda: send_cancellation_notices.delay(pk))

    def close(self):
        """Open → closed, its result entered in the campaign's history once: asks/closing.py
        (guarantee there). Returns the history Action."""
        from .closing import close  # closing imports this module

        return close(self)

    def promote_waitlist(self):
        """Move waitlisted responses that now fit to confirmed, oldest first. Call with this
        Ask's row locked (Response.withdraw, or an organizer raising capacity). Guarantee: no
        seat beyond capacity or a shift's slots, and each response moves from waitlisted once
        (a conditional update). Stops as soon as the event is full, so a long waitlist does
        not hold the lock for a count per person. Returns the promoted responses."""
        promoted = []
        left = None if self.capacity is None else self.capacity - self.confirmed().count()
        waiting = self.responses.filter(status=Response.Status.WAITLISTED).select_related("shift", "ask")
        for response in waiting.order_by("confirmed_at", "id"):
            if left is not None and left <= 0:
                break
            if response._has_seat():
                moved = Response.objects.filter(pk=response.pk, status=Response.Status.WAITLISTED).update(
                    status=Response.Status.CONFIRMED
                )
                if moved:
                    response.status = Response.Status.CONFIRMED
                    promoted.append(response)
                    left = None if left is None else left - 1
        return promoted

    def confirmed(self):
        """Responses that count: confirmed, whether or not checked in (waitlisted ones do not)."""
        return self.responses.filter(status=Response.Status.CONFIRMED)


class Shift(models.Model):
    """A part of an event with its own volunteer slots (9–11 cleaning, 11–13 planting)."""

    ask = models.ForeignKey(Ask, on_delete=models.CASCADE, related_name="shifts")
    label_ar = models.CharField(_("label (Arabic)"), max_length=120, blank=True)
    label_en = models.CharField(_("label (English)"), max_length=120, blank=True)
    starts = models.DateTimeField(_("starts"))
    ends = models.DateTimeField(_("ends"))
    slots = models.PositiveIntegerField(_("volunteer slots"))

    class Meta:
        ordering = ["starts", "id"]
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")

    def __str__(self):
        return self.label

    @property
    def label(self):
        return bilingual(self, "label")

    def taken(self):
        return self.responses.filter(status=Response.Status.CONFIRMED).count()


class Response(models.Model):
    """One person's signature, pledge or RSVP. See the module docstring for what is stored how."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("On the waitlist")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    ask = models.ForeignKey(Ask, on_delete=models.CASCADE, related_name="responses")
    shift = models.ForeignKey(Shift, null=True, blank=True, on_delete=models.SET_NULL, related_name="responses")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)

    given_name_enc = models.BinaryField(default=b"", editable=False)
    family_name_enc = models.BinaryField(default=b"", editable=False)
    email_enc = models.BinaryField(default=b"", editable=False)
    phone_enc = models.BinaryField(default=b"", editable=False)
    email_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)
    phone_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)
    phone_verified = models.BooleanField(default=True, editable=False)
    # One per person per ask: the email's blind index, else the phone's.
    person_hash = models.CharField(max_length=64, editable=False)
    neighbourhood_enc = models.BinaryField(default=b"", editable=False)
    neighbourhood_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)

    language = models.CharField(max_length=2, choices=Contact.Language.choices, default="ar")
    keep_informed = models.BooleanField(_("keep me informed"), default=False)
    # Named on the printed petition only when the signer agreed (default: counted, not named).
    named = models.BooleanField(_("my name may be shown to the petition's target"), default=False)
    print_run = models.ForeignKey(PrintRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="responses")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="responses")

    created = models.DateTimeField(default=timezone.now, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    checked_in_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Event reminders sent (asks/reminders.py): each at most once.
    reminded_day_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminded_hours_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The "please confirm" link is owed since then (asks/confirmations.py sends it and clears
    # this): the row is its own outbox, written by the INSERT that stores the answer.
    mail_due_at = models.DateTimeField(null=True, blank=True, editable=False)

    given_name = encrypted("given_name")
    family_name = encrypted("family_name")
    email = encrypted("email", index_kind="email")
    phone = encrypted("phone", index_kind="phone")
    neighbourhood = encrypted_label("neighbourhood")

    class Meta:
        ordering = ["-id"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.UniqueConstraint(fields=["ask", "person_hash"], name="one_response_per_person_per_ask"),
        ]
        indexes = [
            models.Index(fields=["ask", "status"]),
            # Holds only the links still owed: small however many responses there are.
            models.Index(fields=["mail_due_at"], condition=Q(mail_due_at__isnull=False), name="asks_response_mail_due"),
        ]

    def __init__(self, *args, **kwargs):
        self._plain = {}
        super().__init__(*args, **kwargs)

    def __str__(self):
        return f"{self.ask_id}:{self.pk} {self.status}"

    @property
    def name(self):
        return " ".join(part for part in (self.given_name, self.family_name) if part)

    def set_person(self):
        """Fill person_hash from the email's blind index, else the phone's; call after setting them."""
        self.person_hash = self.email_hash or self.phone_hash or ""

    def confirm(self):
        """Pending → confirmed (or waitlisted when the event or the chosen shift is full).

        Guarantee: a response is confirmed at most once and never beyond capacity. For
        petitions and pledges this is one conditional UPDATE of this row (no shared row is
        locked, so a burst of confirmations does not queue on a counter). For events the Ask
        row is locked while the seats are counted, so two last-seat confirmations cannot both
        get in. Only while the ask is open: a closed petition's history entry holds its final
        count, and a cancelled event has no seats (by the link or an organizer's hand alike).
        Returns the new status, or None when the response was not pending (a second click, a
        withdrawn RSVP) or its ask is not open: nothing changes then."""
        now = timezone.now()
        if not self.ask.is_event:
            moved = Response.objects.filter(pk=self.pk, status=self.Status.PENDING, ask__status=Ask.Status.OPEN).update(
                status=self.Status.CONFIRMED, confirmed_at=now
            )
            if moved:
                self.status, self.confirmed_at = self.Status.CONFIRMED, now
                return self.status
            return None
        with transaction.atomic():
            locked = Ask.objects.select_for_update().filter(pk=self.ask_id).values_list("status", flat=True).first()
            current = Response.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if current != self.Status.PENDING or locked != Ask.Status.OPEN:
                return None
            status = self.Status.CONFIRMED if self._has_seat() else self.Status.WAITLISTED
            Response.objects.filter(pk=self.pk).update(status=status, confirmed_at=now)
            self.status, self.confirmed_at = status, now
            return status

    def _has_seat(self):
        """Room for one more confirmed attendee on the event and, when chosen, on the shift.
        Called with the Ask row locked."""
        ask = self.ask
        confirmed = Response.objects.filter(ask_id=self.ask_id, status=self.Status.CONFIRMED)
        if ask.capacity is not None and confirmed.count() >= ask.capacity:
            return False
        return self.shift is None or confirmed.filter(shift_id=self.shift_id).count() < self.shift.slots

    def withdraw(self):
        """ "I can't come": confirmed or waitlisted → withdrawn, freeing the seat for the first
        on the waitlist who now fits. Guarantee: under the Ask row lock, so a freed seat goes
        to exactly one person. Returns the promoted responses (to be told), [] when none, or
        None when this response could not be withdrawn (already withdrawn, never confirmed)."""
        with transaction.atomic():
            Ask.objects.select_for_update().filter(pk=self.ask_id).first()
            moved = Response.objects.filter(
                pk=self.pk, status__in=[self.Status.CONFIRMED, self.Status.WAITLISTED]
            ).update(status=self.Status.WITHDRAWN, withdrawn_at=timezone.now())
            if not moved:
                return None
            self.status = self.Status.WITHDRAWN
            return self.ask.promote_waitlist()

    def reopen(self, shift=None):
        """Withdrawn → pending: someone who said "I can't come" answers the form again. Only the
        choice they make now (the shift) is taken; what identifies them stays as stored, since
        whoever typed the address may not be its owner, and only the owner's click on the new
        link confirms. The times start again: `created` is now (the purge counts a link's life
        from the new answer) and the old confirmation, check-in and reminders are cleared.
        Guarantee: one conditional UPDATE from withdrawn, so two answers at once reopen it once;
        True for the call that did."""
        now = timezone.now()
        fresh = {
            "status": self.Status.PENDING,
            "mail_due_at": now if self.email_hash else None,
            "shift": shift,
            "created": now,
            "confirmed_at": None,
            "withdrawn_at": None,
            "checked_in_at": None,
            "reminded_day_at": None,
            "reminded_hours_at": None,
        }
        moved = Response.objects.filter(pk=self.pk, status=self.Status.WITHDRAWN).update(**fresh)
        if moved:
            for field, value in fresh.items():
                setattr(self, field, value)
        return bool(moved)

    def owe_link(self):
        """Owe this pending response its "please confirm" link again (someone answered the
        form with the same address again: the first mail may be lost). Guarantee as `_stamp`:
        only a pending response with an email, and only when no link is owed already, so
        answers in a burst owe one mail, not one each. True if it did."""
        return bool(self.email_hash) and self._stamp("mail_due_at", self.Status.PENDING)

    def check_in(self):
        """Mark a confirmed attendee as arrived. Guarantee: once; True only for the call
        that did it (a second scan of the same code says "already checked in")."""
        return self._stamp("checked_in_at", self.Status.CONFIRMED)

    def _stamp(self, field, status):
        """Set the moment `field` to now, in one conditional UPDATE: only while the response
        has `status` and `field` is unset. True only for the call that set it."""
        now = timezone.now()
        moved = Response.objects.filter(pk=self.pk, status=status, **{f"{field}__isnull": True}).update(**{field: now})
        if moved:
            setattr(self, field, now)
        return bool(moved)


def cancel_with_campaign(sender, campaign, **kwargs):
    """A cancelled campaign's open and draft asks are cancelled with it (campaigns.models.cancelled),
    so its events' attendees are told and no confirmation link, reminder or check-in of them
    goes on. An ask another organizer moved meanwhile is left as they left it."""
    for ask in Ask.objects.filter(campaign=campaign, status__in=[Ask.Status.OPEN, Ask.Status.DRAFT]):
        try:
            ask.cancel()
        except ValidationError:
            continue
