"""The petition PDF for its target: count, neighbourhoods, and only the names of signers who agreed."""

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from asks.models import Response
from asks.petition_pdf import render_petition
from tests.core.typeset.extractors import with_pdfminer
from tests.factories import organizer_client

from .organizer import make_ask, make_event, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def petition():
    petition = make_ask(title_en="Stop the dump", target_en="The city council")
    person(petition, given="Named", family="Signer", named=True, neighbourhood="Bab al-Hadid")
    person(petition, given="Hidden", family="Person", neighbourhood="Bab al-Hadid")  # named is off by default
    person(petition, given="Pending", family="Named", named=True, status=Response.Status.PENDING)
    return petition


@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_pdf_names_no_signer_who_did_not_agree(petition, language):
    text = with_pdfminer(render_petition(petition, language)[0])
    assert ("Hidden" in text, "Person" in text) == (False, False)


def test_the_pdf_names_the_confirmed_signers_who_agreed(petition):
    text = with_pdfminer(render_petition(petition, "en")[0])
    assert ("Named Signer" in text, "Pending" in text) == (True, False)


def test_the_pdf_gives_the_count_target_and_neighbourhoods(petition):
    text = with_pdfminer(render_petition(petition, "en")[0])
    assert all(part in text for part in ("2 confirmed signatures", "To: The city council", "Bab al-Hadid: 2"))


def test_the_download_is_audited_and_never_cached(petition):
    response = organizer_client().get(reverse("asks:petition_pdf", args=[petition.pk]) + "?lang=en")
    audited = AuditEvent.objects.filter(action="ask.petition_pdf", object_id=str(petition.pk), detail__named=1).exists()
    assert (response["Content-Type"], "no-store" in response["Cache-Control"], audited) == (
        "application/pdf",
        True,
        True,
    )


def test_an_event_has_no_petition_pdf():
    response = organizer_client().get(reverse("asks:petition_pdf", args=[make_event().pk]))
    assert response.status_code == 404
