"""A flyer made for an ask: its QR code leads to the ask's page with the print run's code,
the run is credited with the responses, and the ask's title prints as the call to action."""

import pytest
from django.urls import reverse

from accounts.roles import VOLUNTEER
from flyers import targets
from flyers.forms import FlyerForm
from flyers.models import Flyer
from tests.factories import logged_in, make_user, organizer_client

from .factories import make_ask, make_campaign, make_flyer, make_response, make_run

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_cache(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.SITE_URL = "https://hamla.example.org"


def form_data(campaign, **extra):
    data = {
        "campaign": campaign.pk,
        "name": "Petition flyer",
        "design": "bilingual",
        "paper_size": "a5",
        "headline_ar": "حيّنا نظيف",
        "headline_en": "A clean neighbourhood",
        "cta_ar": "وقّع العريضة",
        "accent": "#0B6E4F",
    }
    data.update(extra)
    return data


def offered(form, campaign):
    groups = dict(form.fields["target"].choices[1:])
    return [key for key, _label in groups.get(campaign.title, [])]


def test_the_flyer_form_offers_the_campaigns_open_asks_and_not_its_drafts():
    campaign = make_campaign()
    petition = make_ask(campaign)
    make_ask(campaign, slug="later", status="draft")
    assert offered(FlyerForm(), campaign) == [f"ask:{petition.pk}"]


def test_a_flyer_saved_with_an_ask_points_its_qr_code_at_the_ask_page():
    campaign = make_campaign()
    petition = make_ask(campaign)
    response = organizer_client().post(reverse("flyers:create"), form_data(campaign, target=f"ask:{petition.pk}"))
    assert response.status_code == 302
    flyer = Flyer.objects.get()
    assert flyer.qr_url() == f"https://hamla.example.org/c/{campaign.slug}/{petition.slug}/"


def test_an_ask_of_another_campaign_is_refused_as_the_target():
    campaign, other = make_campaign(), make_campaign("other")
    elsewhere = make_ask(other)
    form = FlyerForm(form_data(campaign, target=f"ask:{elsewhere.pk}"))
    assert form.errors.as_data()["target"][0].code == "target_not_in_campaign"


def test_a_closed_ask_stays_the_target_of_a_flyer_edited_after_it_closed():
    campaign = make_campaign()
    petition = make_ask(campaign)
    flyer = make_flyer(campaign, target=f"ask:{petition.pk}")
    petition.status = "closed"
    petition.save()
    form = FlyerForm(form_data(campaign, target=flyer.target), instance=flyer)
    assert form.is_valid(), form.errors


def test_a_print_runs_short_link_leads_to_the_ask_page_with_its_code(client):
    campaign = make_campaign()
    petition = make_ask(campaign)
    run = make_run(make_flyer(campaign, target=f"ask:{petition.pk}"))
    response = client.get(reverse("public:short_link", args=[run.code]))
    assert response["Location"] == f"/c/{campaign.slug}/{petition.slug}/?r={run.code}"


def test_a_short_link_whose_ask_was_deleted_leads_to_the_campaign_page(client):
    campaign = make_campaign()
    petition = make_ask(campaign)
    run = make_run(make_flyer(campaign, target=f"ask:{petition.pk}"))
    petition.delete()
    response = client.get(reverse("public:short_link", args=[run.code]))
    assert response["Location"] == f"/c/{campaign.slug}/?r={run.code}"


@pytest.mark.parametrize("key", ["ask:", "ask:abc", "ask:١٢", "ask:-1", "ask:99999999999999999999999", "nope:1"])
def test_a_target_key_that_names_no_ask_resolves_to_nothing(key):
    assert targets.resolve(make_campaign(), key) is None


def test_the_print_run_page_counts_its_confirmed_responses_but_not_pending_ones():
    campaign = make_campaign()
    petition = make_ask(campaign)
    volunteer = make_user(VOLUNTEER)
    run = make_run(make_flyer(campaign, target=f"ask:{petition.pk}"), volunteer=volunteer)
    for i in range(3):
        make_response(petition, f"signer{i}@example.org", print_run=run)
    make_response(petition, "pending@example.org", print_run=run, confirm=False)
    make_response(petition, "elsewhere@example.org")
    page = logged_in(volunteer).get(reverse("flyers:run", args=[run.code]))
    assert page.context["responses"] == 3


def test_the_flyer_page_counts_responses_per_print_run_and_in_all():
    campaign = make_campaign()
    petition = make_ask(campaign)
    flyer = make_flyer(campaign, target=f"ask:{petition.pk}")
    first, second = make_run(flyer), make_run(flyer)
    make_response(petition, "a@example.org", print_run=first)
    make_response(petition, "b@example.org", print_run=second)
    make_response(petition, "c@example.org", print_run=second)
    page = organizer_client().get(reverse("flyers:detail", args=[flyer.pk]))
    per_run = {run.pk: run.response_total for run in page.context["runs"]}
    assert (per_run, page.context["totals"].responses) == ({first.pk: 1, second.pk: 2}, 3)


def test_the_asks_title_is_the_call_to_action_where_the_flyer_has_none():
    campaign = make_campaign()
    petition = make_ask(campaign)
    flyer = make_flyer(campaign, cta_ar="", cta_en="", target=f"ask:{petition.pk}")
    spec = flyer.spec()
    assert (spec.cta_ar, spec.cta_en) == (petition.title_ar, petition.title_en)


def test_the_flyers_own_call_to_action_wins_over_the_asks_title():
    campaign = make_campaign()
    petition = make_ask(campaign)
    flyer = make_flyer(campaign, cta_ar="امسح الرمز", cta_en="", target=f"ask:{petition.pk}")
    spec = flyer.spec()
    assert (spec.cta_ar, spec.cta_en) == ("امسح الرمز", petition.title_en)


def test_an_arabic_only_flyer_gets_no_english_call_to_action_from_its_ask():
    campaign = make_campaign()
    petition = make_ask(campaign)
    flyer = make_flyer(campaign, cta_ar="", headline_en="", body_en="", cta_en="", target=f"ask:{petition.pk}")
    spec = flyer.spec()
    assert (spec.cta_ar, spec.cta_en) == (petition.title_ar, "")


def test_the_pdf_of_a_flyer_for_an_ask_carries_the_asks_address_in_its_qr_code(tmp_path):
    from django.core.management import call_command

    from .test_print_run_qr import decode_qr_codes

    campaign = make_campaign("clean-aleppo-2026")
    petition = make_ask(campaign)
    flyer = make_flyer(campaign, cta_ar="", cta_en="", target=f"ask:{petition.pk}")
    out = tmp_path / "petition.pdf"
    call_command("render_flyer", flyer.pk, "--layout", "a6", "--out", str(out))
    assert decode_qr_codes(out, tmp_path) == [f"https://hamla.example.org/c/clean-aleppo-2026/{petition.slug}/"]
