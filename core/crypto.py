"""Encryption at rest: one master key setting, a derived key for each purpose.

What a copy of the database must not reveal (supporters' data, second-factor seeds) is
encrypted with keys that never live in the database. Apps name a *purpose* ("contact",
"totp seed", …) and get their own keys; this module knows no app.

Keys. ``settings.HAMLA_ENCRYPTION_KEY`` is one urlsafe-base64 32-byte key or a
comma-separated list of them, newest first. Nothing encrypts under a master key itself:
every key in use is derived from one with HKDF-SHA256, under a label naming its purpose.

* Trade-off: one setting for every purpose, not one per purpose. Operators back up and
  rotate one secret (the README tells them to keep it apart from database backups); the
  cost is that whoever holds it can open everything. Per-purpose labels still mean no key
  does two jobs: a TOTP seed is not encrypted under the key that encrypts contacts, and a
  bug that leaks one derived key (say, into a log) does not open the other purposes.
* An AES-256-GCM key per master and purpose. ``Keyring.encrypt`` always uses the newest
  master's; ``Keyring.decrypt`` finds the right one from the 4-byte key id carried in each
  ciphertext, so values written under older keys stay readable until they are re-encrypted
  (``manage.py rotate_encryption_key``). The key id is a hash of the derived key, so it
  differs between purposes and tells a dump nothing about the master.
* ``Keyring.subkey(label)``: a further key for keyed hashes (blind indexes, recovery-code
  digests), derived from the OLDEST listed master (the last one). A keyed hash cannot be
  "re-hashed" on rotation without the values it hides, so it must keep coming from the
  same master whatever rotation has happened since. Trade-off, on purpose: whoever holds
  the original key and a dump can test guesses against those hashes, but cannot read data
  written after rotation. Keep the original key last for as long as the database exists.

Ciphertext layout: ``b"\\x01" + key_id(4) + nonce(12) + AES-GCM(ciphertext+tag)``; 96-bit
random nonces are safe for far more values than one key will ever encrypt here (the GCM
bound is about 2^32). An empty value encrypts to ``b""`` (that a contact has no phone is
not identifying, and skipping it keeps bulk imports fast); a purpose that must not reveal
emptiness never stores an empty value.

Associated data (``aad``) binds a ciphertext to where it belongs, e.g. a seed to its user:
copied into another row, it no longer decrypts. Whoever re-encrypts must pass the same.
"""

import base64
import binascii
import hashlib
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

VERSION = b"\x01"
HEADER = 1 + 4 + 12
TAG = 16


class DecryptionError(Exception):
    """A ciphertext that no configured key can open (wrong key, wrong purpose or place, or tampered data)."""


def derive(master, label):
    """A 32-byte key derived from `master` for `label` (HKDF-SHA256, fixed salt)."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"hamla", info=label).derive(master)


@lru_cache(maxsize=4)
def masters(setting):
    """The raw master keys in a HAMLA_ENCRYPTION_KEY value, newest first."""
    keys = []
    for item in str(setting).split(","):
        item = item.strip()
        if not item:
            continue
        try:
            raw = base64.urlsafe_b64decode(item + "=" * (-len(item) % 4))
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != 32:
            raise ImproperlyConfigured(
                "HAMLA_ENCRYPTION_KEY must be urlsafe-base64 32-byte keys, comma-separated, newest first"
            )
        keys.append(raw)
    if not keys:
        raise ImproperlyConfigured("HAMLA_ENCRYPTION_KEY is empty")
    return tuple(keys)


class Keyring:
    """The keys of one purpose for one value of HAMLA_ENCRYPTION_KEY.

    Built once and reused (``keyring(purpose)``): deriving keys costs more than encrypting
    a value, and the importer encrypts hundreds of thousands of them."""

    def __init__(self, setting, purpose):
        self.purpose = purpose
        self.masters = masters(setting)
        self.ciphers = {}  # key id -> AESGCM
        self.order = []  # key ids, newest first
        for master in self.masters:
            key = derive(master, f"hamla {purpose} encryption v1".encode())
            key_id = hashlib.sha256(b"hamla key id" + key).digest()[:4]
            self.ciphers[key_id] = AESGCM(key)
            self.order.append(key_id)
        self.current_id = self.order[0]
        self.current = self.ciphers[self.current_id]
        self.prefix = VERSION + self.current_id

    def encrypt(self, value, aad=None):
        """`value` (str or bytes) under the newest key; empty stays b''."""
        if not value:
            return b""
        if isinstance(value, str):
            value = value.encode()
        nonce = os.urandom(12)
        return self.prefix + nonce + self.current.encrypt(nonce, value, aad)

    def decrypt(self, blob, aad=None):
        """The bytes `encrypt` was given. Raises DecryptionError if no key of this purpose opens it."""
        if not blob:
            return b""
        blob = bytes(blob)  # PostgreSQL hands back memoryview
        if len(blob) < HEADER + TAG or blob[:1] != VERSION:
            raise DecryptionError("not a Hamla ciphertext")
        cipher = self.ciphers.get(blob[1:5])
        if cipher is None:
            raise DecryptionError(f"not encrypted with a {self.purpose} key from HAMLA_ENCRYPTION_KEY")
        try:
            return cipher.decrypt(blob[5:HEADER], blob[HEADER:], aad)
        except InvalidTag:
            raise DecryptionError("ciphertext failed authentication") from None

    def is_current(self, blob):
        """True if the value is empty or already encrypted with the newest key."""
        return not blob or bytes(blob[1:5]) == self.current_id

    def reencrypt(self, blob, aad=None):
        """The same value under the newest key (what rotation does to each stale value)."""
        return self.encrypt(self.decrypt(blob, aad), aad)

    def subkey(self, label):
        """A key for keyed hashes, from the oldest master (stable across rotation; see above)."""
        return derive(self.masters[-1], label)


@lru_cache(maxsize=16)
def _keyring_for(setting, purpose):
    return Keyring(setting, purpose)


def keyring(purpose):
    """The Keyring of `purpose` for the current HAMLA_ENCRYPTION_KEY."""
    return _keyring_for(settings.HAMLA_ENCRYPTION_KEY, purpose)


def key_id_of(blob):
    """The key id a ciphertext was written with (b'' for empty values)."""
    return bytes(blob[1:5]) if blob else b""
