"""The organisation's own name everywhere a supporter looks (issue 13, finding 8): public
pages, newsletters, confirmation mails, flyers, the history report; its settings page is
for admins only and audited, and a logo that is not an image is refused with its code."""

import io
import re
from email import message_from_bytes, policy

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent
from accounts.roles import ADMIN, ORGANIZER
from campaigns.models import Campaign
from contacts.emails import send_confirmation
from contacts.models import Contact
from flyers.designs import render_flyer
from messaging import emails
from organisation.models import Organisation
from tests.core.typeset.extractors import pdftotext, with_pypdf
from tests.factories import logged_in, make_user
from tests.flyers.factories import image_bytes, make_flyer
from tests.security.test_url_policy import ROUTES
from tests.security.world import plant

pytestmark = pytest.mark.django_db

NAME_AR, NAME_EN = "رابطة الأحياء", "Neighbourhoods League"
SENDER = "رابطة الأحياء · Neighbourhoods League"
CONTACT = "hello@league.example"


@pytest.fixture
def profile():
    return Organisation.objects.create(name_ar=NAME_AR, name_en=NAME_EN, sender_name=SENDER, contact_line=CONTACT)


def visitor(language):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def title_of(html):
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1)


@pytest.mark.parametrize("language", ["ar", "en"])
def test_every_public_page_names_the_organisation_in_its_language_in_header_footer_and_title(profile, language):
    world = plant()
    name, other = (NAME_AR, NAME_EN) if language == "ar" else (NAME_EN, NAME_AR)
    seen, wrong = [], []
    for route in ROUTES:
        if not (route.name or "").startswith("public:") or route.name.endswith(":*") or "anymail" in route.name:
            continue
        url = reverse(route.name, kwargs=world.kwargs(route.name, route.params))
        response = visitor(language).get(url)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        html = response.content.decode()
        seen.append(route.name)
        header = html.split('<header class="topbar">', 1)[1].split("</header>", 1)[0]
        footer = html.split('<footer class="foot">', 1)[1].split("</footer>", 1)[0]
        if not (name in title_of(html) and name in header and name in footer and other not in title_of(html)):
            wrong.append(route.name)
    assert (len(seen) >= 5, wrong) == (True, [])


def sent_newsletter(language):
    campaign = Campaign.objects.create(slug="water", title_ar="حملة المياه", title_en="Water for all")
    prepared = emails.prepare("News", "Hello {{ first_name }}", language, campaign)
    message = emails.build(prepared, "reader@example.org", emails.compose.sample_values(language))
    return prepared, message_from_bytes(message.message().as_bytes(), policy=policy.default)


@pytest.mark.parametrize("language", ["ar", "en"])
def test_a_newsletter_names_the_organisation_and_the_campaign_in_the_recipients_language(profile, language):
    prepared, parsed = sent_newsletter(language)
    name, title, other_title = (
        (NAME_AR, "حملة المياه", "Water for all") if language == "ar" else (NAME_EN, "Water for all", "حملة المياه")
    )
    found = {
        "html header": name in prepared.html.split('<td class="pad body"')[0] and title in prepared.html,
        "html footer": prepared.html.count(name) >= 2 and CONTACT in prepared.html,
        "text": prepared.text.count(name) >= 2 and title in prepared.text and CONTACT in prepared.text,
        "no other title": other_title not in prepared.html + prepared.text,
        # Python's parser keeps the space between encoded-words (core/mailheaders.py): compare words.
        "sender": parsed["From"].addresses[0].display_name.split() == SENDER.split(),
    }
    assert found == dict.fromkeys(found, True)


@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_confirmation_mail_names_the_organisation_in_the_signers_language(profile, language):
    contact = Contact.objects.create(email="new@example.org", language=language)
    send_confirmation(contact, "a-token", language=language)
    sent = mail.outbox[-1]
    parsed = message_from_bytes(sent.message().as_bytes(), policy=policy.default)
    name = NAME_AR if language == "ar" else NAME_EN
    html = sent.alternatives[0][0]
    assert (
        sent.body.count(name) >= 2,
        html.count(name) >= 2,
        CONTACT in html,
        parsed["From"].addresses[0].display_name.split(),
    ) == (
        True,
        True,
        True,
        SENDER.split(),
    )


def test_without_a_profile_mails_keep_the_configured_sender(settings):
    settings.DEFAULT_FROM_EMAIL = "Configured Sender <news@example.org>"
    prepared = emails.prepare("News", "Hello", "en")
    assert prepared.from_email == "Configured Sender <news@example.org>"


def test_a_flyer_without_its_own_footer_prints_the_organisations_names(profile):
    pdf = render_flyer(make_flyer(footer="").spec(), "a5")
    text = pdftotext(pdf) + " " + with_pypdf(pdf)
    assert (NAME_EN in text, "الأحياء" in text) == (True, True)


def test_a_flyer_with_its_own_footer_and_logo_keeps_them(profile):
    profile.logo = image_bytes("PNG", size=(40, 40), color=(0, 0, 255))
    profile.save()
    own_logo = image_bytes("PNG", size=(30, 20))
    spec = make_flyer(footer="Our own footer", logo=own_logo).spec()
    assert (spec.footer, spec.logo) == ("Our own footer", own_logo)


def test_a_flyer_without_a_logo_gets_the_organisations(profile):
    profile.logo = image_bytes("PNG", size=(40, 40), color=(0, 0, 255))
    profile.save()
    assert make_flyer().spec().logo == bytes(profile.logo)


@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_history_reports_title_page_names_the_organisation(profile, language):
    from campaigns.report import render_history_report

    pdf = render_history_report(language=language)
    import pypdf

    first_page = pdftotext(pdf) if language == "ar" else pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert ("الأحياء" if language == "ar" else NAME_EN) in first_page


def test_only_admins_open_the_settings_page():
    url = reverse("accounts:organisation")
    statuses = [
        Client().get(url).status_code,
        logged_in(make_user(ORGANIZER, username="org")).get(url).status_code,
        logged_in(make_user(ORGANIZER, username="org2")).post(url, {"name_en": "Hijacked"}).status_code,
        logged_in(make_user(ADMIN, username="boss")).get(url).status_code,
    ]
    assert (statuses, Organisation.objects.exists()) == ([302, 403, 403, 200], False)


def test_an_admin_saves_the_profile_and_the_audit_log_names_the_fields_not_the_values():
    admin = make_user(ADMIN, username="boss")
    logo = SimpleUploadedFile("logo.png", image_bytes("PNG", size=(50, 50)))
    response = logged_in(admin).post(
        reverse("accounts:organisation"),
        {
            "name_ar": NAME_AR,
            "name_en": NAME_EN,
            "sender_name": SENDER,
            "contact_line": "",
            "accent": "#112233",
            "logo_upload": logo,
        },
    )
    profile = Organisation.current()
    event = AuditEvent.objects.get(action="organisation.updated")
    assert (response.status_code, profile.name_en, bool(profile.logo), event.actor, sorted(event.detail["fields"])) == (
        302,
        NAME_EN,
        True,
        admin,
        ["accent", "logo", "name_ar", "name_en", "sender_name"],
    )


@pytest.mark.parametrize(
    ("data", "code"),
    [(b"not an image at all", "not_image"), (b"x" * (2 * 1024 * 1024 + 1), "too_large")],
)
def test_a_logo_that_fails_validation_is_refused_with_its_code(data, code):
    response = logged_in(make_user(ADMIN, username="boss")).post(
        reverse("accounts:organisation"),
        {"name_en": NAME_EN, "accent": "#112233", "logo_upload": SimpleUploadedFile("logo.png", data)},
    )
    codes = [e.code for e in response.context["form"].errors.as_data().get("logo_upload", [])]
    assert (
        response.status_code,
        codes,
        f'data-code="{code}"' in response.content.decode(),
        Organisation.objects.exists(),
    ) == (422, [code], True, False)


def test_seed_demo_fills_the_profile_from_the_organisations_own_account():
    from devtools.demo import organisation as step

    step.load(io.StringIO())
    step.load(io.StringIO())
    profile = Organisation.current()
    assert (Organisation.objects.count(), profile.name_ar, profile.name_en) == (1, "كش ملك", "Kesh Malek")


def test_the_profile_stays_one_row_when_a_fresh_instance_is_saved_over_it(profile):
    Organisation(name_en="Second").save()
    assert (Organisation.objects.count(), Organisation.current().name_en) == (1, "Second")
