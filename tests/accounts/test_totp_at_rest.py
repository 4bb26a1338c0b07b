"""Issue 11, finding 4: a database dump yields no second-factor code, and Django's admin
shows no seed. Seeds are encrypted under their own purpose's key and re-encrypted by
rotate_encryption_key."""

import base64
import binascii
import re
import secrets
from importlib import import_module

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from accounts.models import SEED_PURPOSE, EncryptedTOTPDevice
from accounts.roles import ADMIN, ORGANIZER
from core import crypto
from tests.contacts.test_database_dump import database_bytes
from tests.factories import PASSWORD, logged_in, make_user, totp_code

HEX = re.compile(rb"[0-9a-fA-F]{16,160}")
BASE32 = re.compile(rb"[A-Z2-7]{16,}=*|[a-z2-7]{16,}=*")
STEPS = range(4)  # a candidate "works" only if it gives the device's codes for four steps in a row


def codes(key, steps=STEPS):
    totp = TOTP(key, 30, 0, 6, 0)
    now = totp.time
    result = []
    for step in steps:
        totp.time = now + step * 30
        result.append(f"{totp.token():06d}")
    return result


def candidate_keys(dump):
    """Every value in the dump that looks like a hex or base32 TOTP seed, decoded."""
    keys = set()
    for match in HEX.finditer(dump):
        text = match.group()
        for start in (0, 1):  # a run may hold an odd leading character
            try:
                keys.add(binascii.unhexlify(text[start : start + (len(text) - start) // 2 * 2]))
            except binascii.Error:
                pass
    for match in BASE32.finditer(dump):
        text = match.group().rstrip(b"=").upper()
        try:
            keys.add(base64.b32decode(text + b"=" * (-len(text) % 8)))
        except binascii.Error:
            pass
    return keys


@pytest.mark.django_db(transaction=True)
def test_no_totp_code_can_be_computed_from_a_database_dump():
    if connection.vendor not in ("sqlite", "postgresql"):
        pytest.skip("dump check written for SQLite and PostgreSQL")
    users = [make_user(ADMIN), make_user(ORGANIZER)]
    # One more through the real enrolment, with its recovery codes.
    enrolled = make_user(ORGANIZER, with_device=False)
    token = two_factor.create_link(enrolled, by=users[0])
    client = Client()
    client.post(reverse("accounts:login"), {"username": enrolled.username, "password": PASSWORD})
    link = two_factor.open_link(token, enrolled)
    device = two_factor.start(link)
    recovery = two_factor.confirm(link, codes(device.bin_key)[0])[1]
    users.append(enrolled)

    dump = database_bytes()
    real = {user.username: [totp_code(user, offset) for offset in STEPS] for user in users}
    seeds = [two_factor.totp_device(user).bin_key for user in users]
    candidates = candidate_keys(dump)
    assert len(candidates) > 10  # the scan does see the dump's hashes and ids
    working = [key for key in candidates if codes(key) in real.values()]
    assert working == []
    assert not any(seed in dump for seed in seeds)  # not even as raw bytes
    assert not any(code.replace("-", "").encode() in dump for code in recovery)


@pytest.mark.django_db
def test_seeds_are_encrypted_under_their_own_purpose_not_the_contacts_key():
    from contacts import crypto as contacts_crypto

    device = two_factor.totp_device(make_user(ORGANIZER))
    assert len(device.bin_key) == two_factor.SEED_BYTES
    with pytest.raises(crypto.DecryptionError):
        contacts_crypto.decrypt(device.seed_enc)


@pytest.mark.django_db
def test_a_seed_copied_into_another_users_device_does_not_decrypt():
    mine, theirs = (two_factor.totp_device(make_user(ORGANIZER)) for _ in range(2))
    theirs.seed_enc = mine.seed_enc
    theirs.save()
    theirs.refresh_from_db()
    with pytest.raises(crypto.DecryptionError):
        theirs.bin_key  # noqa: B018


@pytest.mark.django_db
def test_django_otps_clear_text_device_cannot_be_saved():
    user = make_user(ORGANIZER, with_device=False)
    with pytest.raises(TypeError):
        TOTPDevice.objects.create(user=user, name="clear", confirmed=True)
    assert not TOTPDevice.objects.exists()


@pytest.mark.django_db
def test_the_django_admin_shows_no_seed_and_no_django_otp_device_pages():
    admin = make_user(ADMIN)
    device = two_factor.totp_device(make_user(ORGANIZER))
    key = device.bin_key
    client = logged_in(admin)
    pages = [
        client.get(reverse("admin:accounts_encryptedtotpdevice_changelist")),
        client.get(reverse("admin:accounts_encryptedtotpdevice_change", args=[device.pk])),
    ]
    assert all(page.status_code == 200 for page in pages)
    for page in pages:
        html = page.content.decode()
        assert key.hex() not in html.lower() and base64.b32encode(key).decode() not in html
        assert "seed_enc" not in html and "otpauth" not in html
    assert client.get("/django-admin/otp_totp/totpdevice/").status_code == 404
    assert client.get("/django-admin/otp_static/staticdevice/").status_code == 404


@pytest.mark.django_db
def test_rotation_reencrypts_seeds_and_codes_stay_valid(settings):
    old_key = settings.HAMLA_ENCRYPTION_KEY.split(",")[-1]
    settings.HAMLA_ENCRYPTION_KEY = old_key
    user = make_user(ORGANIZER)
    before = bytes(two_factor.totp_device(user).seed_enc)
    code = totp_code(user)

    new_key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    settings.HAMLA_ENCRYPTION_KEY = f"{new_key},{old_key}"
    ring = crypto.keyring(SEED_PURPOSE)
    assert not ring.is_current(before)
    call_command("rotate_encryption_key", stdout=open("/dev/null", "w"))  # noqa: SIM115
    after = two_factor.totp_device(user).seed_enc
    assert bytes(after) != before and ring.is_current(after)
    assert totp_code(user) == code
    settings.HAMLA_ENCRYPTION_KEY = new_key  # the old key may go: seeds no longer need it
    assert totp_code(user) == code


@pytest.mark.django_db
def test_the_migration_encrypts_confirmed_clear_seeds_and_drops_the_rest():
    migration = import_module("accounts.migrations.0003_encrypt_existing_totp_seeds")
    confirmed, unconfirmed = make_user(ORGANIZER, with_device=False), make_user(ORGANIZER, with_device=False)
    seed = secrets.token_bytes(20)
    # bulk_create sends no pre_save: rows as django-otp wrote them before this change.
    TOTPDevice.objects.bulk_create(
        [
            TOTPDevice(user=confirmed, name="default", confirmed=True, key=seed.hex(), last_t=7),
            TOTPDevice(user=unconfirmed, name="default", confirmed=False, key=secrets.token_hex(20)),
        ]
    )
    migration.encrypt_seeds(apps, None)
    assert not TOTPDevice.objects.exists()
    device = EncryptedTOTPDevice.objects.get()
    assert device.user == confirmed and device.confirmed and device.last_t == 7
    assert device.bin_key == seed and seed.hex().encode() not in bytes(device.seed_enc)
