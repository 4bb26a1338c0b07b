"""Supporters' personal data: encryption at rest and blind indexes.

A copy of the database alone must reveal no supporter's name, email or phone.

The keys and the ciphertext format are core.crypto's (read its docstring: one
HAMLA_ENCRYPTION_KEY setting, newest key first, a derived key per purpose, rotation).
This module is the contacts' purpose on top of it:

* values are encrypted under the "contact" purpose's keys (``encrypt``/``decrypt``), with
  no associated data: the importer writes rows by COPY before they have ids;
* a blind index (keyed HMAC-SHA256 of the normalised email or phone) lets lookups and
  de-duplication find a contact without decrypting anyone. Its key comes from the OLDEST
  listed key (``Keyring.subkey``): an index must give the same value for the same email
  whatever rotation has happened since, otherwise de-duplication and lookups silently
  break. So rotation re-encrypts data under the new key but the index keeps coming from
  the original key: keep that key at the end of the list for as long as the database
  exists. (The trade-off, documented on purpose: someone holding the original key and a
  dump can test guessed emails against the index, but can no longer read data written
  after rotation.)

An empty string encrypts to ``b""``: that a contact has no phone is not identifying,
and skipping it keeps bulk imports fast.
"""

import hmac
import re
import unicodedata
from functools import lru_cache

import phonenumbers
from django.conf import settings

from core import crypto as core_crypto
from core.crypto import HEADER, VERSION, DecryptionError, key_id_of  # noqa: F401  (this module's API)

PURPOSE = "contact"
DEFAULT_REGION = "SY"


class Keyring(core_crypto.Keyring):
    """The contacts' keys for one value of HAMLA_ENCRYPTION_KEY, plus the blind-index key.

    The importer calls ``encrypt`` and ``blind_index`` on one Keyring for a whole batch:
    looking the key up in settings for every value costs more than the cryptography."""

    def __init__(self, setting):
        super().__init__(setting, PURPOSE)
        self.index_key = self.subkey(b"hamla blind index v1")

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
    return keyring().decrypt(blob).decode()


def is_current(blob):
    """True if the value is empty or already encrypted with the newest key."""
    return keyring().is_current(blob)


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


def plausible_phone(value, region=DEFAULT_REGION):
    """The number in E.164 when phonenumbers cannot validate it but it has the length and
    shape of its country's numbers (Syrian mobiles in ranges added after the library's
    metadata: +96391…, +96392…, +96397…), else ''. Such numbers are kept unverified."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(str(value).translate(_DIGITS), region)
    except phonenumbers.NumberParseException:
        return ""
    meta = phonenumbers.PhoneMetadata.metadata_for_region(
        phonenumbers.region_code_for_country_code(number.country_code)
    )
    national = phonenumbers.national_significant_number(number)
    general = meta.general_desc.national_number_pattern if meta is not None and meta.general_desc else None
    if not phonenumbers.is_possible_number(number) or not general or not re.fullmatch(general, national):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_key(value, region=DEFAULT_REGION):
    """What a phone's blind index is computed from: the validated number, or else the
    plausible one, so a number kept unverified is still found by a search for it."""
    return normalise_phone(value, region) or plausible_phone(value, region)


def normalise_name(value):
    """Lower-cased NFKC name with runs of spaces collapsed (for search)."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", value or "")).strip().casefold()


NORMALISERS = {"email": normalise_email, "phone": phone_key}


def blind_index(value, kind, normalised=False):
    """Keyed HMAC-SHA256 (hex) of the normalised value, or None when it normalises to ''.

    `kind` ("email" or "phone") is mixed into the MAC so equal strings of different
    kinds never share an index value. Pass normalised=True when the caller already
    normalised (the importer does, to validate)."""
    if not normalised:
        value = NORMALISERS[kind](value)
    return keyring().blind_index(value, kind)
