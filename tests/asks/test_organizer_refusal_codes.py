"""Every refusal of an ask's model says which by a code (the words are translated)."""

import pytest
from django.core.exceptions import ValidationError

from asks.models import Ask
from tests.campaigns.helpers import make_campaign

from .organizer import make_ask

pytestmark = pytest.mark.django_db


def codes(error):
    return sorted({e.code for e in (error.error_list if hasattr(error, "error_list") else [])} | {
        e.code for errors in getattr(error, "error_dict", {}).values() for e in errors
    })  # fmt: skip


def refusal(call):
    with pytest.raises(ValidationError) as refused:
        call()
    return codes(refused.value)


def test_a_closed_ask_cannot_be_opened_again():
    petition = make_ask()
    petition.close()
    assert refusal(petition.open) == ["bad_transition"]


def test_a_move_someone_else_made_first_is_refused_as_changed_meanwhile():
    petition = make_ask()
    stale = Ask.objects.get(pk=petition.pk)
    petition.cancel()
    assert refusal(stale.cancel) == ["changed_meanwhile"]


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"title_ar": "", "title_en": ""}, "no_title"),
        ({"time_zone": "Mars/Olympus"}, "unknown_zone"),
        ({"kind": Ask.Kind.EVENT, "starts": None}, "no_start"),
    ],
)
def test_an_ask_that_cannot_be_saved_says_why_by_code(fields, code):
    ask = Ask(campaign=make_campaign(), kind=Ask.Kind.PETITION, slug="x", title_en="Stop the dump")
    for name, value in fields.items():
        setattr(ask, name, value)
    assert refusal(ask.clean) == [code]
