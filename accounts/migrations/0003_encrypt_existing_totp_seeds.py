"""Moves the seeds django-otp kept in clear (otp_totp's TOTPDevice.key, hex) into
EncryptedTOTPDevice, encrypted, and deletes the clear rows.

Only confirmed devices move: an unconfirmed one is exactly the secret that used to be
shown to whoever logged in with the password (issue 11, finding 8); its owner gets an
enrolment link instead. Reversible: the reverse writes confirmed seeds back in clear.
"""

from binascii import hexlify, unhexlify

from django.db import migrations

FIELDS = ("user_id", "name", "confirmed", "step", "t0", "digits", "tolerance", "drift", "last_t")
FIELDS += ("throttling_failure_timestamp", "throttling_failure_count", "created_at", "last_used_at")
# As in accounts.models when this was written (a migration keeps its own copy).
SEED_PURPOSE = "totp seed"


def seed_context(user_id):
    return f"accounts.totp:user:{user_id}".encode()


def encrypt_seeds(apps, schema_editor):
    from core import crypto

    clear = apps.get_model("otp_totp", "TOTPDevice")
    sealed = apps.get_model("accounts", "EncryptedTOTPDevice")
    ring = crypto.keyring(SEED_PURPOSE)
    for device in clear.objects.filter(confirmed=True).iterator():
        values = {name: getattr(device, name) for name in FIELDS}
        seed = unhexlify(device.key.encode())
        sealed.objects.create(seed_enc=ring.encrypt(seed, seed_context(device.user_id)), **values)
    clear.objects.all().delete()


def decrypt_seeds(apps, schema_editor):
    from core import crypto

    clear = apps.get_model("otp_totp", "TOTPDevice")
    sealed = apps.get_model("accounts", "EncryptedTOTPDevice")
    ring = crypto.keyring(SEED_PURPOSE)
    for device in sealed.objects.filter(confirmed=True).iterator():
        values = {name: getattr(device, name) for name in FIELDS}
        seed = ring.decrypt(device.seed_enc, seed_context(device.user_id))
        clear.objects.create(key=hexlify(seed).decode(), **values)
    sealed.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_encrypted_totp_enrolment_links"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(encrypt_seeds, decrypt_seeds)]
