import base64
import secrets

import phonenumbers
import pytest
from django.core.management import call_command

from contacts import crypto
from contacts.models import Contact

from .helpers import make_contact


def new_key():
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def test_it_round_trips_arabic_text_and_never_repeats_a_ciphertext():
    a, b = crypto.encrypt("محمد"), crypto.encrypt("محمد")
    assert a != b
    assert "محمد".encode() not in a
    assert crypto.decrypt(a) == crypto.decrypt(b) == "محمد"


def test_it_refuses_tampered_ciphertext():
    blob = bytearray(crypto.encrypt("secret@example.org"))
    blob[-1] ^= 1
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(bytes(blob))


def test_the_blind_index_normalises_and_separates_kinds():
    assert crypto.blind_index(" Ahmad@Example.ORG ", "email") == crypto.blind_index("ahmad@example.org", "email")
    assert crypto.blind_index("0944 123 456", "phone") == crypto.blind_index("+963944123456", "phone")
    assert crypto.blind_index("٠٩٤٤١٢٣٤٥٦", "phone") == crypto.blind_index("+963944123456", "phone")
    assert crypto.blind_index("12", "phone") is None


def test_the_fast_phone_path_agrees_with_a_full_phonenumbers_parse():
    import random

    rng = random.Random(7)
    prefixes = ["09", "+963 9", "00963", "+90 5", "+1 ", "0", "+44 7", "+49 1", "+"]
    for _ in range(3000):
        raw = rng.choice(prefixes) + "".join(rng.choice("0123456789") for _ in range(rng.randrange(5, 11)))
        try:
            number = phonenumbers.parse(raw, "SY")
            slow = phonenumbers.format_number(number, 0) if phonenumbers.is_valid_number(number) else ""
        except phonenumbers.NumberParseException:
            slow = ""
        assert crypto.normalise_phone(raw) == slow, raw


@pytest.mark.parametrize(
    "raw",
    ["+0905321234567", "+012025550123", "00012025550123", "0944१२३४५६", "0944１２３４５６", "+49 4978598203"],
)
def test_spellings_the_fast_path_used_to_get_wrong_agree_with_phonenumbers(raw):
    try:
        number = phonenumbers.parse(raw, "SY")
        slow = phonenumbers.format_number(number, 0) if phonenumbers.is_valid_number(number) else ""
    except phonenumbers.NumberParseException:
        slow = ""
    assert crypto.normalise_phone(raw) == slow


@pytest.mark.django_db
def test_rotation_keeps_old_rows_readable_and_lookups_stable_then_reencrypts(settings):
    old_key = settings.HAMLA_ENCRYPTION_KEY.split(",")[-1]
    settings.HAMLA_ENCRYPTION_KEY = old_key
    contact = make_contact(email="rotate@example.org", phone="0944000111")
    old_blob = bytes(Contact.objects.get(pk=contact.pk).email_enc)

    settings.HAMLA_ENCRYPTION_KEY = f"{new_key()},{old_key}"
    reloaded = Contact.objects.get(pk=contact.pk)
    assert reloaded.email == "rotate@example.org"
    assert Contact.objects.by_email("rotate@example.org") == reloaded
    assert not crypto.is_current(reloaded.email_enc)

    call_command("rotate_encryption_key", "--batch", "1", stdout=open("/dev/null", "w"))  # noqa: SIM115
    rotated = Contact.objects.get(pk=contact.pk)
    assert bytes(rotated.email_enc) != old_blob
    assert all(crypto.is_current(getattr(rotated, f"{n}_enc")) for n in ("given_name", "email", "phone"))
    assert rotated.email == "rotate@example.org" and rotated.phone == "+963944000111"
    assert Contact.objects.by_phone("0944 000 111").get() == rotated


def test_a_key_that_is_not_32_bytes_is_rejected(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.HAMLA_ENCRYPTION_KEY = "c2hvcnQ="
    with pytest.raises(ImproperlyConfigured):
        crypto.encrypt("x")
