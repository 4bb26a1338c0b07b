"""Issue 13, finding 10: the print flow. The tracked print run comes first; copies and drop
locations are added and corrected after printing, several places per run; the address under
the QR code is a short /r/<code> that never wraps."""

import io
from datetime import date

import pypdf
import pytest
from django.urls import reverse

from accounts.roles import VOLUNTEER
from flyers.models import Drop, PrintRun
from flyers.panels import campaign_panel
from flyers.render import LAYOUT_CHOICES, render_pdf
from tests.factories import logged_in, make_user, organizer_client

from .factories import make_campaign, make_flyer, make_run

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_cache(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def volunteer_with_run(quantity=300):
    volunteer = make_user(VOLUNTEER)
    run = make_run(make_flyer(), volunteer=volunteer, quantity=quantity)
    return logged_in(volunteer), volunteer, run


def add_drop(client, run, place, copies, **extra):
    data = {"drop-place": place, "drop-city": "Aleppo", "drop-copies": str(copies), "drop-date": "2026-03-14"}
    data.update(extra)
    return client.post(reverse("flyers:drop_add", args=[run.code]), data)


def test_the_print_page_offers_the_tracked_print_run_before_the_untracked_pdf():
    flyer = make_flyer()
    page = logged_in(make_user(VOLUNTEER)).get(reverse("flyers:print", args=[flyer.pk])).content.decode()
    assert 0 < page.index('id="print-run-form"') < page.index('id="untracked-download"')


def test_a_print_run_is_logged_before_knowing_where_its_copies_go():
    flyer = make_flyer()
    client = logged_in(make_user(VOLUNTEER))
    client.post(reverse("flyers:print", args=[flyer.pk]), {"quantity": "500", "date": "2026-03-14"})
    assert (PrintRun.objects.get().quantity, Drop.objects.count()) == (500, 0)


def test_a_volunteer_adds_several_drops_to_a_print_run_after_printing():
    client, volunteer, run = volunteer_with_run()
    add_drop(client, run, "Salaheddine", 120)
    add_drop(client, run, "Bustan al-Qasr", 80)
    drops = [(d.place, d.copies, d.volunteer) for d in run.drops.all()]
    assert drops == [("Salaheddine", 120, volunteer), ("Bustan al-Qasr", 80, volunteer)]


def test_a_volunteer_corrects_their_own_drop():
    client, _volunteer, run = volunteer_with_run()
    add_drop(client, run, "Salaheddine", 120)
    drop = run.drops.get()
    url = reverse("flyers:drop", args=[run.code, drop.pk])
    client.post(url, {"place": "Salah al-Din", "city": "Aleppo", "copies": "90", "date": "2026-03-15"})
    drop.refresh_from_db()
    assert (drop.place, drop.copies, drop.date) == ("Salah al-Din", 90, date(2026, 3, 15))


def test_a_volunteer_cannot_correct_a_drop_someone_else_logged():
    client, _volunteer, run = volunteer_with_run()
    drop = run.drops.create(place="Salaheddine", copies=10, volunteer=make_user(VOLUNTEER, username="other"))
    response = client.post(reverse("flyers:drop", args=[run.code, drop.pk]), {"place": "x", "copies": "1"})
    drop.refresh_from_db()
    assert (response.status_code, drop.place) == (404, "Salaheddine")


def test_drops_never_account_for_more_copies_than_were_printed():
    client, _volunteer, run = volunteer_with_run(quantity=100)
    add_drop(client, run, "Salaheddine", 80)
    response = add_drop(client, run, "Bustan al-Qasr", 30)
    assert (response.status_code, run.drops.count()) == (422, 1)


def test_the_copies_printed_are_corrected_after_printing_but_never_below_the_drops():
    client, _volunteer, run = volunteer_with_run(quantity=100)
    add_drop(client, run, "Salaheddine", 80)
    url = reverse("flyers:run", args=[run.code])
    refused = client.post(url, {"run-quantity": "50", "run-date": "2026-03-14"})
    client.post(url, {"run-quantity": "120", "run-date": "2026-03-14"})
    run.refresh_from_db()
    assert (refused.status_code, run.quantity) == (422, 120)


def test_flyers_distributed_counts_the_drops_and_a_run_without_drops_in_full():
    campaign = make_campaign(goal_flyers=1000)
    flyer = make_flyer(campaign)
    dropped = make_run(flyer, quantity=500)
    dropped.drops.create(place="Salaheddine", copies=120)
    dropped.drops.create(place="Bustan al-Qasr", copies=80)
    make_run(flyer, quantity=300)  # no drop logged: all its copies count
    panel = campaign_panel(campaign)
    goal = next(goal for goal in campaign.goals() if goal.key == "flyers")
    assert (goal.value, panel["distributed"], panel["copies"]) == (500, 500, 800)


def test_the_page_says_what_flyers_distributed_counts():
    flyer = make_flyer()
    page = organizer_client().get(reverse("flyers:detail", args=[flyer.pk])).content.decode()
    assert 'id="distributed-rule"' in page


def test_a_print_runs_qr_code_holds_its_short_address(settings):
    settings.SITE_URL = "https://hamla.example.org"
    run = make_run(make_flyer())
    assert run.flyer.spec(print_run=run).qr_url == f"https://hamla.example.org/r/{run.code}"


def test_the_short_address_leads_to_the_campaign_page_and_counts_one_visit(client):
    run = make_run(make_flyer(make_campaign("clean-aleppo")))
    response = client.get(f"/r/{run.code}", follow=True)
    run.refresh_from_db()
    assert (response.redirect_chain[-1][0], response.status_code, run.visits) == (
        f"/c/clean-aleppo/?r={run.code}",
        200,
        1,
    )


@pytest.mark.parametrize("code", ["unknown123", "x" * 5000, "%00"])
def test_an_unknown_short_address_is_404(client, code):
    make_run(make_flyer())
    assert client.get(f"/r/{code}").status_code == 404


def test_the_short_address_of_a_campaign_without_a_public_page_is_404(client):
    run = make_run(make_flyer())
    run.flyer.campaign.is_public = False
    run.flyer.campaign.save()
    assert client.get(f"/r/{run.code}").status_code == 404


def pdf_lines(path):
    reader = pypdf.PdfReader(io.BytesIO(path.read_bytes()))
    return [line.strip() for page in reader.pages for line in page.extract_text().splitlines()]


@pytest.mark.parametrize("design", ["bold", "bilingual", "notice"])
@pytest.mark.parametrize("layout", [value for value, _label in LAYOUT_CHOICES])
def test_the_printed_address_sits_on_one_line_on_every_layout(settings, design, layout):
    settings.SITE_URL = "https://campaigns.aleppo-civic-association.org"
    flyer = make_flyer(design=design)
    run = make_run(flyer)
    path = render_pdf(flyer.spec(print_run=run, grayscale=True), layout, crop_marks=True)
    printed = f"campaigns.aleppo-civic-association.org/r/{run.code}"
    assert any(printed in line for line in pdf_lines(path))


def test_the_flyer_forms_campaign_label_is_translated():
    client = organizer_client()
    client.cookies["django_language"] = "ar"
    form = client.get(reverse("flyers:create")).context["form"]
    assert str(form["campaign"].label) == "الحملة"


def test_drops_and_corrections_are_sentences_in_the_audit_log():
    from accounts.audit_log import sentence_for

    codes = ("flyer.drop", "flyer.drop_update", "flyer.print_run_update")
    assert all(sentence_for(code) for code in codes)
