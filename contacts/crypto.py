"""Encryption at rest and blind indexes for supporters' personal data.

A copy of the database alone must reveal no supporter's name, email or phone.

Keys. ``settings.HAMLA_ENCRYPTION_KEY`` is one urlsafe-base64 32-byte key or a
comma-separated list of them, newest first. From every listed key two subkeys
are derived with HKDF-SHA256 under different ``info`` labels, so the key that
encrypts is never the key that indexes:

* an AES-256-GCM key. ``encrypt`` always uses the newest; ``decrypt`` finds the
  right one from the 4-byte key id carried in each ciphertext, so rows written
  under older keys stay readable until ``manage.py rotate_encryption_key`` has
  re-encrypted them.
* a blind-index key, used only from the OLDEST listed key (the last one). An
  index must give the same value for the same email whatever key rotation has
  happened since, otherwise de-duplication and lookups silently break. So
  rotation re-encrypts data under the new key but the index keeps coming from
  the original key: keep that key at the end of the list for as long as the
  database exists. (The trade-off, documented on purpose: someone holding the
  original key and a dump can test guessed emails against the index, but can no
  longer read data written after rotation.)

Ciphertext layout: ``b"\\x01" + key_id(4) + nonce(12) + AES-GCM(ciphertext+tag)``.
An empty string encrypts to ``b""``: that a contact has no phone is not
identifying, and skipping it keeps bulk imports fast.
"""

import base64
import binascii
import hashlib
import hmac
import os
import re
import unicodedata
from functools import lru_cache

import phonenumbers
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

VERSION = b"\x01"
HEADER = 1 + 4 + 12
DEFAULT_REGION = "SY"


class DecryptionError(Exception):
    """A ciphertext that no configured key can open (wrong key or tampered data)."""


def _derive(master, label):
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"hamla", info=label).derive(master)


class Keyring:
    """The derived keys for one value of HAMLA_ENCRYPTION_KEY."""

    def __init__(self, setting):
        masters = []
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
            masters.append(raw)
        if not masters:
            raise ImproperlyConfigured("HAMLA_ENCRYPTION_KEY is empty")
        self.ciphers = {}  # key id -> AESGCM
        self.order = []  # key ids, newest first
        for master in masters:
            enc = _derive(master, b"hamla contact encryption v1")
            key_id = hashlib.sha256(b"hamla key id" + enc).digest()[:4]
            self.ciphers[key_id] = AESGCM(enc)
            self.order.append(key_id)
        self.current_id = self.order[0]
        self.current = self.ciphers[self.current_id]
        self.prefix = VERSION + self.current_id
        self.index_key = _derive(masters[-1], b"hamla blind index v1")

    # The importer calls these two methods on one Keyring for a whole batch: looking
    # the key up in settings for every value costs more than the cryptography.

    def encrypt(self, value):
        if not value:
            return b""
        nonce = os.urandom(12)
        return self.prefix + nonce + self.current.encrypt(nonce, value.encode(), None)

    def blind_index(self, normalised, kind):
        if not normalised:
            return None
        return hmac.digest(self.index_key, f"{kind}:{normalised}".encode(), "sha256").hex()


@lru_cache(maxsize=4)
def _keyring_for(setting):
    return Keyring(setting)


def keyring():
    return _keyring_for(settings.HAMLA_ENCRYPTION_KEY)


def encrypt(value):
    """Encrypt a string with the newest key; '' (or None) stays b''."""
    return keyring().encrypt(value)


def decrypt(blob):
    """Decrypt what `encrypt` produced. Raises DecryptionError if no key opens it."""
    if not blob:
        return ""
    blob = bytes(blob)  # PostgreSQL hands back memoryview
    if len(blob) < HEADER + 16 or blob[:1] != VERSION:
        raise DecryptionError("not a Hamla ciphertext")
    cipher = keyring().ciphers.get(blob[1:5])
    if cipher is None:
        raise DecryptionError("encrypted with a key that is not in HAMLA_ENCRYPTION_KEY")
    try:
        return cipher.decrypt(blob[5:HEADER], blob[HEADER:], None).decode()
    except InvalidTag:
        raise DecryptionError("ciphertext failed authentication")


def key_id_of(blob):
    """The key id a ciphertext was written with (b'' for empty values)."""
    return bytes(blob[1:5]) if blob else b""


def is_current(blob):
    """True if the value is empty or already encrypted with the newest key."""
    return not blob or bytes(blob[1:5]) == keyring().current_id


# --- normalisation -------------------------------------------------------------

_SPACES = re.compile(r"\s+")


def normalise_email(value):
    """Trimmed, NFKC, lower-cased email (the whole address: providers differ on
    local-part case, but in practice people type it either way)."""
    if not value:
        return ""
    return unicodedata.normalize("NFKC", value).strip().lower()


_PHONE_NOISE = re.compile(r"[\s\-().\u200e\u200f\u202a-\u202e]")
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


@lru_cache(maxsize=64)
def _plan_for_region(region):
    """(country code, national prefix, [(pattern, lengths)]) for mobile and fixed-line numbers."""
    meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if meta is None:
        return None
    kinds = []
    for desc in (meta.mobile, meta.fixed_line):
        if desc is not None and desc.national_number_pattern:
            lengths = desc.possible_length or meta.general_desc.possible_length
            kinds.append((re.compile(desc.national_number_pattern), frozenset(lengths or ())))
    general = meta.general_desc.national_number_pattern if meta.general_desc is not None else None
    return str(meta.country_code), meta.national_prefix or "", kinds, re.compile(general) if general else None


def _fast_phone(value, region):
    """E.164 for the common spellings, decided from phonenumbers' own metadata, or None
    to fall back to a full parse. Parsing costs ~60 µs a number, which alone would cap
    an import well below 10,000 rows/s."""
    digits = _PHONE_NOISE.sub("", value).translate(_DIGITS)
    if not digits.isascii():  # other scripts' digits: phonenumbers' own parse decides
        return None
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if digits.startswith("+"):
        if not digits[1:].isdigit() or digits[1:2] == "0":  # no country code starts with 0
            return None
        for size in (1, 2, 3):
            cc = digits[1 : 1 + size]
            main = phonenumbers.region_code_for_country_code(int(cc))
            if main != phonenumbers.UNKNOWN_REGION:
                break
        else:
            return None
        plan, national = _plan_for_region(main), digits[1 + size :]
    else:
        plan = _plan_for_region(region)
        if plan is None or not plan[1] or not digits.startswith(plan[1]) or not digits.isdigit():
            return None
        national = digits[len(plan[1]) :]
    if plan is None:
        return None
    if plan[3] is not None and not plan[3].fullmatch(national):
        return None
    for pattern, lengths in plan[2]:
        if (not lengths or len(national) in lengths) and pattern.fullmatch(national):
            return f"+{plan[0]}{national}"
    return None


def normalise_phone(value, region=DEFAULT_REGION):
    """The number in E.164 (``+963944123456``), or '' when it is not a valid number.

    Arabic-Indic and Persian digits are accepted."""
    if not value:
        return ""
    value = str(value)
    fast = _fast_phone(value, region)
    if fast:
        return fast
    try:
        number = phonenumbers.parse(value.translate(_DIGITS), region)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_name(value):
    """Lower-cased NFKC name with runs of spaces collapsed (for search)."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", value or "")).strip().casefold()


NORMALISERS = {"email": normalise_email, "phone": normalise_phone}


def blind_index(value, kind, normalised=False):
    """Keyed HMAC-SHA256 (hex) of the normalised value, or None when it normalises to ''.

    `kind` ("email" or "phone") is mixed into the MAC so equal strings of different
    kinds never share an index value. Pass normalised=True when the caller already
    normalised (the importer does, to validate)."""
    if not normalised:
        value = NORMALISERS[kind](value)
    return keyring().blind_index(value, kind)
