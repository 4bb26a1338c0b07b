from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.plugins.otp_totp.models import TOTPDevice as ClearTOTPDevice

from core import crypto


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


def _end_sessions(user):
    from django.contrib.sessions.models import Session

    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()
            ended += 1
    return ended


def freeze_user(user, by):
    """ "Member detained": deactivate the account, end every session it has, and
    remove its second factors so a seized phone cannot be used. The password is made
    unusable too: if the account is ever reactivated, whoever knows the old password
    (possibly whoever made them talk) must not be able to enrol a new phone; unfreezing
    (`unfreeze_user`) never sets one, the member sets a new one through a one-time link.
    Audited."""
    from django_otp import devices_for_user

    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["is_active", "password"])
    ended = _end_sessions(user)
    for device in devices_for_user(user, confirmed=None):
        device.delete()
    EnrolmentLink.objects.filter(user=user).delete()
    audit(by, "user.freeze", user, sessions_ended=ended)
    return ended


def deactivate_user(user, by):
    """Turn an account off (someone leaves the organisation): it can no longer log in and
    its sessions end. Unlike freezing, its password and second factors are kept, so
    reactivating it (`unfreeze_user`) gives it back as it was. Audited."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    ended = _end_sessions(user)
    audit(by, "user.deactivate", user, sessions_ended=ended)
    return ended


def unfreeze_user(user, by):
    """Let a frozen or deactivated account log in again. Never sets a password: a frozen
    account keeps its unusable one until its owner sets a new one through a one-time link
    (accounts.members), and has no second factor until they open a new enrolment link.

    Guarantee: a conditional update, so only an account inactive at this moment moves, and
    exactly one "user.unfreeze" event is recorded; returns False (nothing done) otherwise."""
    model = type(user)
    moved = model._default_manager.filter(pk=user.pk, is_active=False).update(is_active=True)
    if moved != 1:
        return False
    user.is_active = True
    audit(by, "user.unfreeze", user, needs_password=not user.has_usable_password())
    return True


# --- Second factor -------------------------------------------------------------

SEED_PURPOSE = "totp seed"


def seed_context(user_id):
    """Associated data binding a seed's ciphertext to its user: copied into another
    user's row (by someone who can write to the database and knows their own seed),
    it no longer decrypts."""
    return f"accounts.totp:user:{user_id}".encode()


class EncryptedTOTPDevice(TimestampMixin, ThrottlingMixin, Device):
    """django-otp's TOTP device with its seed encrypted at rest.

    django-otp's own `TOTPDevice` keeps the seed as hex in clear, so a database dump
    would give anyone every staff member's codes. This model has the same fields and
    verification except the seed, kept in `seed_enc` under the "totp seed" purpose of
    core.crypto (never the contacts' key) and decrypted only in memory (`bin_key`).
    Verification and the provisioning URL are django-otp's own code, borrowed from its
    model, so throttling, drift and replay protection behave exactly as upstream.

    Devices are made by `accounts.two_factor` (an enrolment link, or directly for demo
    and test users); nothing shows a confirmed device's seed."""

    seed_enc = models.BinaryField(editable=False)
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    last_t = models.BigIntegerField(default=-1)

    class Meta(Device.Meta):
        verbose_name = _("TOTP device")

    def set_seed(self, seed):
        """Store `seed` (bytes) encrypted; the device's user must be set first."""
        self.seed_enc = crypto.keyring(SEED_PURPOSE).encrypt(seed, seed_context(self.user_id))

    @property
    def bin_key(self):
        return crypto.keyring(SEED_PURPOSE).decrypt(self.seed_enc, seed_context(self.user_id))

    verify_token = ClearTOTPDevice.verify_token
    get_throttle_factor = ClearTOTPDevice.get_throttle_factor
    config_url = ClearTOTPDevice.config_url
    _read_str_from_settings = ClearTOTPDevice._read_str_from_settings


class EnrolmentLink(models.Model):
    """A one-time link an admin made for one user to set up their authenticator app.

    Only a hash of the link's token is kept (the token is high-entropy, so a plain
    SHA-256 suffices): a dump cannot be turned back into a usable link. `device` is the
    unconfirmed device whose QR code the link's page showed last."""

    LIFETIME = timedelta(hours=24)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    expires = models.DateTimeField()
    used = models.DateTimeField(null=True, blank=True)
    device = models.ForeignKey(EncryptedTOTPDevice, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("enrolment link")

    def __str__(self):
        return f"enrolment link {self.pk} for user {self.user_id}"

    def is_open(self):
        return self.used is None and self.expires > timezone.now()
