import base64
import hashlib
import secrets

import pytest
from django.core.exceptions import ImproperlyConfigured

from core import crypto


def new_key():
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def test_each_purpose_has_its_own_key_so_one_cannot_open_anothers_values():
    blob = crypto.keyring("totp seed").encrypt(b"\x00seed")
    assert crypto.keyring("totp seed").decrypt(blob) == b"\x00seed"
    with pytest.raises(crypto.DecryptionError):
        crypto.keyring("contact").decrypt(blob)


def test_associated_data_binds_a_value_to_its_place():
    ring = crypto.keyring("totp seed")
    blob = ring.encrypt("x", aad=b"user:1")
    assert ring.decrypt(blob, aad=b"user:1") == b"x"
    with pytest.raises(crypto.DecryptionError):
        ring.decrypt(blob, aad=b"user:2")


def test_rotation_reads_old_values_reencrypts_them_and_keeps_subkeys_from_the_oldest_key(settings):
    old = new_key()
    settings.HAMLA_ENCRYPTION_KEY = old
    before = crypto.keyring("p").encrypt("value")
    subkey = crypto.keyring("p").subkey(b"index")

    settings.HAMLA_ENCRYPTION_KEY = f"{new_key()},{old}"
    ring = crypto.keyring("p")
    assert not ring.is_current(before) and ring.decrypt(before) == b"value"
    after = ring.reencrypt(before)
    assert ring.is_current(after) and crypto.key_id_of(after) != crypto.key_id_of(before)
    assert ring.subkey(b"index") == subkey


def test_empty_values_stay_empty_and_bad_keys_are_refused(settings):
    assert crypto.keyring("p").encrypt("") == b""
    assert crypto.keyring("p").decrypt(b"") == b""
    for bad in ("", "c2hvcnQ=", "not base64 at all!"):
        settings.HAMLA_ENCRYPTION_KEY = bad
        with pytest.raises(ImproperlyConfigured):
            crypto.keyring("p")


def test_the_contacts_keys_are_unchanged_by_the_move_to_core(settings):
    """Values written before contacts' keyring moved here still decrypt: same derivation."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from contacts import crypto as contacts_crypto

    master = secrets.token_bytes(32)
    settings.HAMLA_ENCRYPTION_KEY = base64.urlsafe_b64encode(master).decode()
    key = crypto.derive(master, b"hamla contact encryption v1")  # the label contacts always used
    key_id = hashlib.sha256(b"hamla key id" + key).digest()[:4]
    nonce = secrets.token_bytes(12)
    old_blob = b"\x01" + key_id + nonce + AESGCM(key).encrypt(nonce, "سلمى".encode(), None)
    assert contacts_crypto.decrypt(old_blob) == "سلمى"
