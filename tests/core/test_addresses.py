import random
import string

import pytest

from core.addresses import _PLAIN, is_mailable, parsers_take_exactly

ATEXT = string.ascii_letters + string.digits + "_%+-"
LDH = string.ascii_lowercase + string.digits


def plain_addresses(count, seed=7):
    rng = random.Random(seed)

    def atom(chars, edge=None):
        text = "".join(rng.choice(chars) for _ in range(rng.randint(1, 12)))
        if edge:  # a host label neither starts nor ends with a hyphen
            text = rng.choice(edge) + text + rng.choice(edge)
        return text

    for _ in range(count):
        local = ".".join(atom(ATEXT) for _ in range(rng.randint(1, 3)))
        host = ".".join(atom(LDH + "-", LDH) for _ in range(rng.randint(2, 4)))
        yield f"{local}@{host}"


def test_every_address_the_fast_path_accepts_is_one_both_parsers_take_as_itself():
    disagreeing = [a for a in plain_addresses(3000) if _PLAIN.fullmatch(a) and not parsers_take_exactly(a)]
    assert disagreeing == []


@pytest.mark.parametrize(
    "address",
    ["x[y]@example.com", "ali)@example.com", "a b@example.com", '"q"@example.com', "@example.com", "a@"],
)
def test_addresses_the_mailer_would_refuse_are_not_mailable(address):
    assert is_mailable(address) is False


def test_a_plain_address_is_mailable():
    assert is_mailable("sara.idlibi+news@mail.example.org") is True
