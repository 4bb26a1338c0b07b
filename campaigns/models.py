from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


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
        PLANNED = "planned", _("Planned")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    # Allowed moves of the status lifecycle.
    TRANSITIONS = {
        Status.PLANNED: {Status.ACTIVE, Status.CANCELLED},
        Status.ACTIVE: {Status.COMPLETED, Status.CANCELLED},
        Status.COMPLETED: set(),
        Status.CANCELLED: set(),
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

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("campaigns:detail", args=[self.pk])

    @property
    def title(self):
        """The title in the active language, falling back to the other one."""
        if get_language() == "en":
            return self.title_en or self.title_ar
        return self.title_ar or self.title_en

    @property
    def summary(self):
        if get_language() == "en":
            return self.summary_en or self.summary_ar
        return self.summary_ar or self.summary_en

    def public_url(self):
        return reverse("campaigns:public", args=[self.slug])

    def clean(self):
        if not (self.title_ar or self.title_en):
            raise ValidationError(_("Give the campaign a title in Arabic or English."))
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date is before the start date.")})

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
        moved = Campaign.objects.filter(pk=self.pk, status=self.status).update(status=status, updated=timezone.now())
        if moved != 1:
            raise ValidationError(_("Someone else changed this campaign's status; reload and try again."))
        self.status = status

    def activate(self):
        self.move_to(self.Status.ACTIVE)

    def complete(self):
        self.move_to(self.Status.COMPLETED)

    def cancel(self):
        self.move_to(self.Status.CANCELLED)


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
        if get_language() == "en":
            return self.description_en or self.description_ar
        return self.description_ar or self.description_en
