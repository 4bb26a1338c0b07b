from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """Who did what to which object, and when. Never holds personal data itself:
    only the kind of action and a reference (model label + primary key)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept when the actor account is later deleted, so the trail still names a role.
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("audit event")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.created:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.object_type}:{self.object_id}"


def audit(actor, action, obj=None, **detail):
    """Record one audit event. `detail` must never carry names, emails or phones."""
    object_type = object_id = ""
    if obj is not None:
        object_type = obj._meta.label_lower
        object_id = str(obj.pk)
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user,
        actor_username=user.get_username() if user else "",
        action=action,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
    )


def freeze_user(user, by):
    """ "Member detained": deactivate the account, end every session it has, and
    remove its second factors so a seized phone cannot be used. The password is made
    unusable too: if the account is ever reactivated, whoever knows the old password
    (possibly whoever made them talk) must not be able to enrol a new phone; an admin
    sets a new password first. Audited."""
    from django.contrib.sessions.models import Session
    from django_otp import devices_for_user

    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["is_active", "password"])
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()
            ended += 1
    for device in devices_for_user(user, confirmed=None):
        device.delete()
    audit(by, "user.freeze", user, sessions_ended=ended)
    return ended
