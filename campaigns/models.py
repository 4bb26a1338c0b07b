from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Count, IntegerField, OuterRef, Sum
from django.db.models.functions import Cast, ExtractYear, Substr
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import audit
from core.i18n import bilingual

from . import goals
from .goals import bars as _bars
from .goals import total as _total


def year_of(field):
    """The year of a date column as an SQL expression the database computes natively.

    SQLite keeps dates as ISO text, and Django's ExtractYear there calls a Python
    function for every row (too slow over 20,000 actions); the first four
    characters are the year."""
    if connection.vendor == "sqlite":
        return Cast(Substr(field, 1, 4), IntegerField())
    return ExtractYear(field)


def years_of(queryset, field, matching=None):
    """{year: row count} for a queryset, in one grouped query.

    With a `matching` Q, returns ({year: all rows}, {year: rows matching}) from
    that same single scan."""
    rows = queryset.order_by().exclude(**{f"{field}__isnull": True}).values(y=year_of(field))
    if matching is None:
        return {row["y"]: row["n"] for row in rows.annotate(n=Count("pk"))}
    rows = rows.annotate(n=Count("pk"), m=Count("pk", filter=matching))
    rows = list(rows)
    return {row["y"]: row["n"] for row in rows}, {row["y"]: row["m"] for row in rows if row["m"]}


def progress_annotations():
    """Annotations measuring each goal from real records: the campaign's own actions
    here, the other apps' figures as they registered them (see campaigns.goals).

    Each is a correlated subquery, so a campaign page, or a page of the list,
    gets all its progress figures in the same single query."""
    return goals.annotations(keys=[figure.removeprefix("progress_") for _, figure, _ in Campaign.GOALS])


@dataclass(frozen=True)
class Goal:
    """One measurable goal of a campaign: a target and what real records show so far."""

    key: str
    label: str
    target: int
    value: int
    # What the figure counts, from an app's own bar (goals.register_bars); else goals.note(key).
    explained: str | None = None

    @property
    def percent(self):
        """Progress towards the target, 0-100 (capped: overshooting still draws a full bar)."""
        if not self.target:
            return 0
        return min(100, round(100 * self.value / self.target))

    @property
    def reached(self):
        return self.value >= self.target

    @property
    def note(self):
        """What the figure counts, as the app that measures it words it (e.g. what
        "delivered" means), or None."""
        return self.explained or goals.note(self.key)


class CampaignQuerySet(models.QuerySet):
    def with_progress(self):
        """Annotate progress_* figures for every goal (see progress_annotations)."""
        return self.annotate(**progress_annotations())

    def with_action_count(self):
        """Annotate progress_actions only: what the campaign list shows."""
        counts = Action.objects.filter(campaign=OuterRef("pk"))
        return self.annotate(progress_actions=_total(counts, "campaign", Count("pk")))

    def public(self):
        return self.filter(is_public=True)


# Sent inside the transaction that cancels a campaign (Campaign.move_to), so apps above can
# end what the campaign still has running (asks cancels its open events and tells attendees);
# a receiver that raises undoes the cancellation.
cancelled = Signal()


class Campaign(models.Model):
    """The hub of Hamla: goals, actions over time, and what they achieved."""

    class Kind(models.TextChoices):
        DEMONSTRATION = "demonstration", _("Demonstration")
        AWARENESS = "awareness", _("Awareness / flyer distribution")
        ADVOCACY = "advocacy", _("Advocacy")
        CLEANUP = "cleanup", _("Clean-up")
        EDUCATION = "education", _("Education")
        RELIEF = "relief", _("Relief")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("status", "Planned")
        ACTIVE = "active", pgettext_lazy("status", "Active")
        COMPLETED = "completed", pgettext_lazy("status", "Completed")
        CANCELLED = "cancelled", pgettext_lazy("status", "Cancelled")

    # Allowed moves of the status lifecycle.
    TRANSITIONS = {
        Status.PLANNED: {Status.ACTIVE, Status.CANCELLED},
        Status.ACTIVE: {Status.COMPLETED, Status.CANCELLED},
        Status.COMPLETED: set(),
        # Undo of a cancellation: back to planned, from where it can be started again (`reopen`).
        Status.CANCELLED: {Status.PLANNED},
    }

    title_ar = models.CharField(_("title (Arabic)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    summary_ar = models.TextField(_("summary (Arabic)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER, db_index=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED, db_index=True)
    start_date = models.DateField(_("start date"), null=True, blank=True, db_index=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    # Older history is often known only to the month or the year.
    dates_approximate = models.BooleanField(_("dates are approximate"), default=False)
    city = models.CharField(_("city"), max_length=100, blank=True, db_index=True)
    neighbourhood = models.CharField(_("neighbourhood"), max_length=100, blank=True)
    goal_participants = models.PositiveIntegerField(_("goal: participants"), null=True, blank=True)
    goal_flyers = models.PositiveIntegerField(_("goal: flyers distributed"), null=True, blank=True)
    goal_signups = models.PositiveIntegerField(_("goal: signups"), null=True, blank=True)
    goal_messages = models.PositiveIntegerField(_("goal: messages delivered"), null=True, blank=True)
    outcome_notes = models.TextField(_("outcome notes"), blank=True)
    is_public = models.BooleanField(_("has a public page"), default=False)
    slug = models.SlugField(_("public address"), max_length=80, unique=True, allow_unicode=False)
    is_demo = models.BooleanField(default=False, editable=False)
    created = models.DateTimeField(default=timezone.now, editable=False)
    updated = models.DateTimeField(auto_now=True)

    objects = CampaignQuerySet.as_manager()

    # (goal field, progress annotation, label)
    GOALS = (
        ("goal_participants", "progress_participants", _("Participants")),
        ("goal_flyers", "progress_flyers", _("Flyers distributed")),
        ("goal_signups", "progress_signups", _("Signups")),
        ("goal_messages", "progress_messages", _("Messages delivered")),
    )

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            # The form and clean() explain the mistake; this keeps scripts and imports honest too.
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="campaign_ends_after_it_starts",
                violation_error_message=_("The end date is before the start date."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("campaigns:detail", args=[self.pk])

    @property
    def title(self):
        """The title in the active language, falling back to the other one."""
        return bilingual(self, "title")

    @property
    def summary(self):
        return bilingual(self, "summary")

    def public_url(self):
        return reverse("public:campaign", args=[self.slug])

    def clean(self):
        if not (self.title_ar or self.title_en):
            raise ValidationError(_("Give the campaign a title in Arabic or English."))
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date is before the start date.")})

    def goals(self):
        """The goals that have a target, each with its measured progress.

        Reads the progress_* annotations of `Campaign.objects.with_progress()`;
        on a plain instance it fetches them in one query."""
        if not hasattr(self, "progress_participants"):
            figures = Campaign.objects.filter(pk=self.pk).with_progress().values(*progress_annotations()).get()
            for name, value in figures.items():
                setattr(self, name, value)
        goals = []
        for field, figure, label in self.GOALS:
            target = getattr(self, field)
            if target:
                goals.append(Goal(field.removeprefix("goal_"), label, target, getattr(self, figure)))
        return goals

    def all_goals(self):
        """`goals()`, then the bars other apps add (a petition's signatures against its own
        goal; campaigns.goals.register_bars). Those cost a query per app, so lists of many
        campaigns show `goals()` only and the campaign's own page shows these."""
        return self.goals() + _bars(self)

    @property
    def year(self):
        return self.start_date.year if self.start_date else None

    def can_move_to(self, status):
        return status in self.TRANSITIONS[self.Status(self.status)]

    def move_to(self, status):
        """Change status along the lifecycle; refuses any other move with ValidationError.
        Uses a conditional update so two organizers cannot both move it from the same state."""
        status = self.Status(status)
        if not self.can_move_to(status):
            raise ValidationError(
                _("A %(old)s campaign cannot become %(new)s.") % {"old": self.get_status_display(), "new": status.label}
            )
        with transaction.atomic():  # the move and what other apps do about it, or neither
            moved = Campaign.objects.filter(pk=self.pk, status=self.status).update(
                status=status, updated=timezone.now()
            )
            if moved != 1:
                raise ValidationError(_("Someone else changed this campaign's status; reload and try again."))
            self.status = status
            if status == self.Status.CANCELLED:
                cancelled.send(sender=Campaign, campaign=self)

    def activate(self):
        self.move_to(self.Status.ACTIVE)

    def complete(self):
        self.move_to(self.Status.COMPLETED)

    def cancel(self):
        self.move_to(self.Status.CANCELLED)

    def reopen(self, by):
        """Undo a cancellation: a cancelled campaign becomes planned again, and the move is
        audited ("campaign.reopen") in the same transaction.

        Guarantee: only a campaign that is cancelled in the database at this moment moves
        (a conditional update, as in `move_to`); anything else raises ValidationError and
        changes nothing, so two organizers reopening at once make one move and one event.
        Nothing the campaign holds (actions, flyers, signups, goals) was removed by the
        cancellation, so nothing needs restoring."""
        if self.status != self.Status.CANCELLED:
            raise ValidationError(_("Only a cancelled campaign can be reopened."))
        with transaction.atomic():
            self.move_to(self.Status.PLANNED)
            audit(by, "campaign.reopen", self)


class Action(models.Model):
    """A dated entry in a campaign's history: what was done, where, and what came of it."""

    class Kind(models.TextChoices):
        DEMONSTRATION = "demonstration", _("Demonstration")
        FLYER_DROP = "flyer_drop", _("Flyer drop")
        MEETING = "meeting", _("Meeting")
        CLEANUP = "cleanup", _("Clean-up")
        SCHOOL_OPENING = "school_opening", _("School opening")
        PRESS_STATEMENT = "press_statement", _("Press statement")
        OTHER = "other", _("Other")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER, db_index=True)
    date = models.DateField(_("date"), db_index=True)
    date_approximate = models.BooleanField(_("date is approximate"), default=False)
    city = models.CharField(_("city"), max_length=100, blank=True, db_index=True)
    neighbourhood = models.CharField(_("neighbourhood"), max_length=100, blank=True)
    description_ar = models.TextField(_("description (Arabic)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    participants = models.PositiveIntegerField(_("participants"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    # Only public actions appear on the campaign's public page.
    is_public = models.BooleanField(_("show on the public page"), default=False)
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        indexes = [models.Index(fields=["campaign", "date"])]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()}"

    @property
    def description(self):
        return bilingual(self, "description")


def participants_achieved(campaign):
    """People who took part in the campaign's actions so far: actions dated today or
    earlier. An action planned for next month has achieved nothing yet. "Today" is the
    local date (TIME_ZONE), taken when the query is built."""
    done = Action.objects.filter(campaign=campaign, date__lte=timezone.localdate())
    return _total(done, "campaign", Sum("participants"))


# The campaign's own figures; flyers, contacts and messaging register theirs (their goals.py).
goals.register("participants", participants_achieved)
goals.register("actions", lambda campaign: _total(Action.objects.filter(campaign=campaign), "campaign", Count("pk")))
