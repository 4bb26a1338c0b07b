"""The second factor: enrolment links, TOTP devices with encrypted seeds, recovery codes.

How a staff member gets a second factor: an admin creates a one-time enrolment link for
them (`create_link`, audited); they open it while logged in as themselves (`open_link`);
the page shows a new seed (`start`: every opening makes a new one, so a seed shown once
is never shown again); a right code confirms it (`confirm`): the link is spent, earlier
devices are removed, and ten recovery codes are issued and shown once. Logging in without
a confirmed device only says to ask an admin for a link: a password alone never reveals
a seed.

What the database keeps (so a dump yields no code):
* seeds encrypted under the "totp seed" purpose (`EncryptedTOTPDevice`, core.crypto),
  bound to their user;
* recovery codes as django-otp static tokens holding a keyed digest of the code, never
  the code (`recovery_digest`): the digest key comes from HAMLA_ENCRYPTION_KEY's oldest
  key, like the contacts' blind index, so a dump alone cannot test guesses and rotation
  does not invalidate printed codes. A digest typed as a code is digested again and so
  never matches;
* enrolment links as a SHA-256 of their token.
"""

import hashlib
import hmac
import re
import secrets

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from core import crypto

from .models import SEED_PURPOSE, EncryptedTOTPDevice, EnrolmentLink, audit, seed_context

SEED_BYTES = 20  # 160 bits, RFC 4226's recommendation and what authenticator apps expect
RECOVERY_CODES = 10
RECOVERY_DEVICE = "recovery"
RECOVERY_PURPOSE = "recovery code"
_RECOVERY_SHAPE = re.compile(r"[a-z2-7]{8}")  # StaticToken.random_token(): 40 bits of base32
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,100}")


class LinkClosed(Exception):
    """The enrolment link was spent, expired or replaced while its page was open."""


# --- devices -------------------------------------------------------------------


def enrol_url(token):
    """The absolute address of an enrolment link, to hand to its user."""
    return settings.SITE_URL + reverse("accounts:enrol", args=[token])


def link_hours():
    """How long an enrolment link stays open, in whole hours (for the sentence that says so)."""
    return int(EnrolmentLink.LIFETIME.total_seconds() // 3600)


def new_device(user, name="default", confirmed=False):
    """A TOTP device with a new random seed, stored encrypted. Enrolment makes unconfirmed
    ones; demo and test users get confirmed ones directly."""
    device = EncryptedTOTPDevice(user=user, name=name, confirmed=confirmed)
    device.set_seed(secrets.token_bytes(SEED_BYTES))
    device.save()
    return device


def totp_device(user):
    return EncryptedTOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_second_factor(user):
    """A confirmed TOTP device, or recovery codes left to use."""
    return (
        EncryptedTOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or StaticToken.objects.filter(device__user=user, device__confirmed=True, device__name=RECOVERY_DEVICE).exists()
    )


def manual_key(device):
    """The seed in base32, as authenticator apps take it typed by hand (enrolment page only)."""
    from base64 import b32encode

    return b32encode(device.bin_key).decode()


def refuse_clear_seed(sender, instance, **kwargs):
    """pre_save of django-otp's own TOTPDevice: it would keep a seed in clear. Connected in
    AccountsConfig.ready(), so no code path (demo, tests, a forgotten import) writes one."""
    raise TypeError("TOTP seeds are kept encrypted: make devices with accounts.two_factor.new_device")


def rotate_seeds():
    """Re-encrypt every seed under the newest key (`rotate_encryption_key` calls this);
    returns how many were stale. Safe to re-run."""
    ring = crypto.keyring(SEED_PURPOSE)
    rotated = 0
    with transaction.atomic():
        for device in EncryptedTOTPDevice.objects.select_for_update().only("pk", "user_id", "seed_enc"):
            if not ring.is_current(device.seed_enc):
                device.seed_enc = ring.reencrypt(device.seed_enc, seed_context(device.user_id))
                device.save(update_fields=["seed_enc"])
                rotated += 1
    return rotated


# --- recovery codes ------------------------------------------------------------


def _normalise_code(code):
    return re.sub(r"[\s-]", "", str(code)).lower()


def recovery_digest(user_id, code):
    """What a static token stores for `code`: 64 bits of an HMAC keyed from HAMLA_ENCRYPTION_KEY
    (StaticToken.token holds 16 characters). The user id is mixed in, so a digest means
    nothing for another account."""
    key = crypto.keyring(RECOVERY_PURPOSE).subkey(b"hamla recovery code v1")
    return hmac.digest(key, f"{user_id}:{_normalise_code(code)}".encode(), "sha256").hex()[:16]


def issue_recovery_codes(user):
    """Ten new codes, replacing any earlier ones; returned once, to be shown once."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=recovery_digest(user.pk, c)) for c in codes)
    return [f"{c[:4]}-{c[4:]}" for c in codes]


def recovery_codes_left(user):
    return StaticToken.objects.filter(device__user=user, device__name=RECOVERY_DEVICE).count()


# --- the two-factor step -------------------------------------------------------


def verify(user, code):
    """The device that accepts `code` for `user` — their TOTP device for a code of its
    length in digits, otherwise their recovery codes (each works once) — or None.

    Routed by shape, so a recovery code does not count as a wrong TOTP code towards
    django-otp's throttling, nor the other way round. Devices are locked while
    verifying, so one code cannot be used by two requests at once."""
    code = _normalise_code(code)
    with transaction.atomic():
        device = EncryptedTOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is not None and code.isdigit() and len(code) == device.digits:
            return device if device.verify_token(code) else None
        if not _RECOVERY_SHAPE.fullmatch(code):
            return None
        statics = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True, name=RECOVERY_DEVICE)
        static = statics.first()
        if static is not None and static.verify_token(recovery_digest(user.pk, code)):
            audit(user, "user.recovery_code_used", user, left=static.token_set.count())
            return static
    return None


# --- enrolment links -----------------------------------------------------------


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def create_link(user, by):
    """A new one-time link for `user` (replacing any earlier unused one). Returns its token,
    which exists only in this return value: the database keeps its hash."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        EnrolmentLink.objects.filter(user=user, used__isnull=True).delete()
        now = timezone.now()
        EnrolmentLink.objects.create(
            user=user, token_hash=_hash(token), created_by=by, created=now, expires=now + EnrolmentLink.LIFETIME
        )
        audit(by, "user.enrolment_link_created", user)
    return token


def open_link(token, user):
    """The open link `token` names, if it is `user`'s; None when unknown, spent, expired or
    someone else's (the page answers all four alike)."""
    if not isinstance(token, str) or not _TOKEN_SHAPE.fullmatch(token):
        return None
    link = EnrolmentLink.objects.filter(token_hash=_hash(token)).first()
    if link is None or link.user_id != user.pk or not link.is_open():
        return None
    return link


def start(link):
    """A new unconfirmed device for the link's page. Earlier unconfirmed devices of the user
    go, so a seed already shown can never be confirmed or shown again."""
    with transaction.atomic():
        EncryptedTOTPDevice.objects.filter(user_id=link.user_id, confirmed=False).delete()
        device = new_device(link.user, confirmed=False)
        link.device = device
        link.save(update_fields=["device"])
    return device


def confirm(link, code):
    """If `code` is right for the link's device: that device becomes the user's only TOTP
    device, new recovery codes replace earlier ones, the link is spent, and
    (device, recovery codes) is returned. None for a wrong code; LinkClosed when the link
    was spent or replaced meanwhile (two tabs, or a new link)."""
    with transaction.atomic():
        link = EnrolmentLink.objects.select_for_update().filter(pk=link.pk).first()
        if link is None or not link.is_open() or link.device_id is None:
            raise LinkClosed
        device = EncryptedTOTPDevice.objects.select_for_update().get(pk=link.device_id)
        if not device.verify_token(_normalise_code(code)):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        EncryptedTOTPDevice.objects.filter(user_id=link.user_id).exclude(pk=device.pk).delete()
        codes = issue_recovery_codes(link.user)
        link.used = timezone.now()
        link.save(update_fields=["used"])
        audit(link.user, "user.2fa_enabled", link.user, recovery_codes=len(codes))
    return device, codes
