import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from accounts.roles import VOLUNTEER
from campaigns.models import Campaign
from flyers.models import Flyer, PrintRun
from tests.factories import logged_in, make_user, organizer_client, volunteer_client

from .factories import image_bytes, make_campaign, make_flyer, make_run

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_cache(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def flyer_post(campaign, **extra):
    data = {
        "campaign": campaign.pk,
        "name": "Trees",
        "design": "bilingual",
        "paper_size": "a5",
        "headline_ar": "ازرعوا شجرة",
        "body_ar": "تعالوا يوم الجمعة",
        "cta_ar": "سجّل الآن",
        "headline_en": "Plant a tree",
        "body_en": "Come on Friday",
        "cta_en": "Sign up now",
        "footer": "Kesh Malek",
        "accent": "#0B6E4F",
    }
    data.update(extra)
    return data


@pytest.mark.parametrize("name", ["flyers:list", "flyers:volunteer", "flyers:create"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_volunteers_cannot_open_the_organizer_pages():
    flyer = make_flyer()
    run = make_run(flyer)
    client = volunteer_client()
    for url in [
        reverse("flyers:list"),
        reverse("flyers:create"),
        reverse("flyers:edit", args=[flyer.pk]),
        reverse("flyers:detail", args=[flyer.pk]),
        reverse("flyers:batch_create", args=[flyer.pk]),
    ]:
        assert client.get(url).status_code == 403, url
    response = client.post(reverse("flyers:edit", args=[flyer.pk]), flyer_post(flyer.campaign, name="hijacked"))
    assert response.status_code == 403
    flyer.refresh_from_db()
    assert flyer.name == "Clean-up day"
    # Someone else's print run does not exist as far as a volunteer is concerned.
    assert client.get(reverse("flyers:run", args=[run.code])).status_code == 404


def test_an_organizer_creates_a_flyer_with_a_logo_and_it_is_audited():
    campaign = make_campaign()
    client = organizer_client()
    logo = image_bytes("JPEG")
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = flyer_post(campaign, logo_upload=SimpleUploadedFile("logo.jpg", logo, content_type="image/jpeg"))
    response = client.post(reverse("flyers:create"), data)
    flyer = Flyer.objects.get(name="Trees")
    assert response.status_code == 302
    assert response["Location"] == reverse("flyers:detail", args=[flyer.pk])
    assert bytes(flyer.logo).startswith(b"\x89PNG")
    assert flyer.footer == "Kesh Malek"
    assert AuditEvent.objects.filter(action="flyer.create", object_id=str(flyer.pk)).exists()
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Trees" in page.content.decode()


def test_a_fake_logo_is_refused_with_a_clear_error_and_nothing_is_saved():
    from django.core.files.uploadedfile import SimpleUploadedFile

    campaign = make_campaign()
    fake = SimpleUploadedFile("logo.png", b"<html>not an image</html>", content_type="image/png")
    client = organizer_client()
    client.cookies.load({"django_language": "en"})
    response = client.post(reverse("flyers:create"), flyer_post(campaign, logo_upload=fake))
    assert response.status_code == 200
    assert "not a PNG or JPEG image" in response.content.decode()
    assert not Flyer.objects.exists()


def test_a_body_too_long_for_the_paper_is_reported_not_cut():
    campaign = make_campaign()
    client = organizer_client()
    client.cookies.load({"django_language": "en"})
    long_body = "هذا نص طويل جداً " * 400
    response = client.post(reverse("flyers:create"), flyer_post(campaign, paper_size="a6", body_ar=long_body))
    assert response.status_code == 200
    assert "please shorten the body (Arabic)" in response.content.decode()
    assert not Flyer.objects.exists()


def test_characters_the_fonts_cannot_print_are_reported_not_silently_dropped():
    campaign = make_campaign()
    client = organizer_client()
    client.cookies.load({"django_language": "en"})
    response = client.post(reverse("flyers:create"), flyer_post(campaign, cta_en="Scan → sign up ✊"))
    assert response.status_code == 200
    assert "cannot be printed with the flyer&#x27;s fonts: → ✊" in response.content.decode()
    assert not Flyer.objects.exists()


def test_a_flyer_without_any_text_is_refused():
    campaign = make_campaign()
    client = organizer_client()
    client.cookies.load({"django_language": "en"})
    empty = {f"{part}_{lang}": "" for part in ("headline", "body", "cta") for lang in ("ar", "en")}
    response = client.post(reverse("flyers:create"), flyer_post(campaign, **empty))
    assert "The flyer has no text" in response.content.decode()
    assert not Flyer.objects.exists()


def test_the_preview_button_shows_the_unsaved_flyer_without_saving_it(settings):
    from tests.services import need_tool

    need_tool("pdftoppm", "poppler-utils")
    campaign = make_campaign()
    response = organizer_client().post(reverse("flyers:create"), flyer_post(campaign, preview="1"))
    assert response.status_code == 200
    assert 'src="data:image/png;base64,' in response.content.decode()
    assert not Flyer.objects.exists()


def test_volunteers_see_flyers_of_live_campaigns_only_and_no_contact_data():
    live = make_flyer(make_campaign("live"), name="live flyer", headline_en="", headline_ar="حي")
    done = make_flyer(make_campaign("done", status=Campaign.Status.COMPLETED), name="old", headline_ar="قديم")
    client = volunteer_client()
    page = client.get(reverse("flyers:volunteer")).content.decode()
    assert reverse("flyers:print", args=[live.pk]) in page
    assert reverse("flyers:print", args=[done.pk]) not in page
    assert client.get(reverse("flyers:print", args=[done.pk])).status_code == 404
    assert client.get(reverse("flyers:download", args=[done.pk])).status_code == 404


def test_a_volunteer_logs_a_print_run_and_downloads_its_pdf():
    flyer = make_flyer()
    volunteer = make_user(VOLUNTEER)
    client = logged_in(volunteer)
    page = client.get(reverse("flyers:print", args=[flyer.pk]), {"layout": "a4-4up", "ink": "grayscale"})
    assert page.status_code == 200
    response = client.post(
        reverse("flyers:print", args=[flyer.pk]),
        {
            "layout": "a4-4up",
            "ink": "grayscale",
            "quantity": "250",
            "date": "2026-03-14",
        },
    )
    run = PrintRun.objects.get()
    assert (run.volunteer, run.quantity, run.flyer) == (volunteer, 250, flyer)
    assert response["Location"] == f"{reverse('flyers:run', args=[run.code])}?layout=a4-4up&ink=grayscale"
    assert AuditEvent.objects.filter(action="flyer.print_run", object_id=str(run.pk)).exists()
    run_page = client.get(response["Location"]).content.decode()
    assert f"run={run.code}" in run_page
    pdf = client.get(
        reverse("flyers:download", args=[flyer.pk]), {"layout": "a4-4up", "ink": "grayscale", "run": run.code}
    )
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert run.code in pdf["Content-Disposition"]
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_a_print_run_needs_a_positive_quantity():
    flyer = make_flyer()
    client = volunteer_client()
    response = client.post(reverse("flyers:print", args=[flyer.pk]), {"quantity": "0", "date": "2026-03-14"})
    assert response.status_code == 200
    assert not PrintRun.objects.exists()


def test_the_organizer_pages_show_copies_visits_and_signups():
    from contacts.models import ConsentEvent

    flyer = make_flyer()
    run = make_run(flyer, quantity=300, neighbourhood="Bustan al-Qasr")
    make_run(flyer, quantity=200)
    PrintRun.record_visit(run.code)
    PrintRun.record_visit(run.code)
    ConsentEvent.objects.create(kind="confirmed", print_run=run, campaign=flyer.campaign)
    ConsentEvent.objects.create(kind="requested", print_run=run, campaign=flyer.campaign)
    client = organizer_client()
    listing = client.get(reverse("flyers:list"))
    listed = listing.context["flyers"][0]
    assert (listed.runs, listed.copies, listed.visits, listed.signups) == (2, 500, 2, 1)
    detail = client.get(reverse("flyers:detail", args=[flyer.pk]))
    by_code = {r.code: r for r in detail.context["runs"]}
    assert by_code[run.code].signup_count == 1
    assert by_code[run.code].visits == 2


def test_the_preview_is_a_png(settings):
    from tests.services import need_tool

    need_tool("pdftoppm", "poppler-utils")
    flyer = make_flyer()
    response = volunteer_client().get(reverse("flyers:preview", args=[flyer.pk]), {"layout": "a4-4up"})
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_the_live_preview_renders_unsaved_text_and_reports_what_does_not_fit():
    from tests.services import need_tool

    need_tool("pdftoppm", "poppler-utils")
    flyer = make_flyer()
    client = organizer_client()
    client.cookies.load({"django_language": "en"})
    url = reverse("flyers:draft_preview", args=[flyer.pk])
    ok = client.post(url, flyer_post(flyer.campaign, headline_en="Changed, not saved"))
    assert ok.status_code == 200
    assert ok["Content-Type"] == "image/png"
    too_long = client.post(url, flyer_post(flyer.campaign, paper_size="a6", body_en="word " * 3000))
    assert too_long.status_code == 422
    assert "shorten the body (English)" in too_long.content.decode()
    flyer.refresh_from_db()
    assert flyer.headline_en == "A clean Aleppo"
    assert volunteer_client().post(url, flyer_post(flyer.campaign)).status_code == 403


# Each hostile text has one right outcome: the flyer is saved and prints as a PDF, or the
# form refuses it on the fields at fault, with the refusal's code.
@pytest.mark.parametrize(
    ("texts", "refused"),
    [
        ({"headline_ar": "ب" * 190, "body_en": "Pneumonoultramicroscopicsilicovolcanoconiosis" * 4}, {}),
        ({"headline_ar": "0944123456", "body_ar": "٠١٢٣٤٥٦٧٨٩ 2011-12-15", "cta_ar": "123"}, {}),
        (
            {"headline_en": "Clean-up 🧹🌳 day", "body_ar": "تعالوا 🙂 معنا", "headline_ar": "🎉"},
            {"headline_en": "unprintable", "body_ar": "unprintable", "headline_ar": "unprintable"},
        ),
        (
            {"headline_ar": "حملة Hamla 2026 للنظافة (Aleppo) ٢٠٢٦", "body_en": "Mixed عربي and English 0944 123 456"},
            {},
        ),
        ({"headline_ar": "", "body_ar": "", "cta_ar": "", "headline_en": "English only"}, {}),
        ({"headline_en": "", "body_en": "", "cta_en": "", "headline_ar": "عربي فقط"}, {}),
        ({"headline_ar": "\u202eعكس\u202c", "body_en": "<script>alert(1)</script> & \u200f"}, {}),
        ({"headline_en": "null \x00 byte"}, {"headline_en": "null_characters_not_allowed"}),
    ],
    ids=["long-words", "digits", "emoji", "mixed", "english-only", "arabic-only", "controls-and-html", "null-byte"],
)
def test_hostile_text_is_saved_and_printed_or_refused_on_its_fields_never_a_crash(texts, refused):
    campaign = make_campaign()
    client = organizer_client()
    response = client.post(reverse("flyers:create"), flyer_post(campaign, **texts))
    if refused:
        assert response.status_code == 200
        form = response.context["form"]
        assert set(form.errors) == set(refused)
        for field, code in refused.items():
            assert form.has_error(field, code), (field, code, form.errors.as_data())
        assert not Flyer.objects.exists()
        return
    assert response.status_code == 302
    flyer = Flyer.objects.get()
    pdf = client.get(reverse("flyers:download", args=[flyer.pk]), {"layout": "a6", "ink": "grayscale"})
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_printing_for_a_campaign_without_a_public_page_warns_that_the_qr_leads_nowhere():
    flyer = make_flyer()
    flyer.campaign.is_public = False
    flyer.campaign.save()
    client = organizer_client()
    client.cookies.load({"django_language": "en"})
    for url in (reverse("flyers:detail", args=[flyer.pk]), reverse("flyers:print", args=[flyer.pk])):
        assert "has no public page yet" in client.get(url).content.decode()
    flyer.campaign.is_public = True
    flyer.campaign.save()
    assert "has no public page yet" not in client.get(reverse("flyers:print", args=[flyer.pk])).content.decode()
