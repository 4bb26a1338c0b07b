"""Other tools' exports import with no hand mapping: every field in its place, and the
people they say opted out, bounced or were blocklisted never mailed (issue 12, findings
1-3). The fixtures in fixtures/ are written in each export's own shape (column names and
cell formats, see contacts/importing/formats.py for where each comes from)."""

from pathlib import Path

import pytest

from contacts.importing import import_file, inspect
from contacts.importing.rows import normalise_language, split_tags
from contacts.models import ConsentEvent, Contact
from messaging.models import Delivery

from .helpers import a_list

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
S, U, B = "subscribed", "unsubscribed", "bounced"

# file -> (format recognised, encoding, {email: (given, family, phone, language, city, tags, status, column)})
EXPORTS = {
    "mailchimp_subscribed.csv": (
        "mailchimp",
        "utf-8",
        {
            "rania.khatib@example.org": ("رانيا", "الخطيب", "+963944123456", "ar", "", ["aleppo", "volunteer"], S, ""),
            "abdulrahman.haddad@example.org": ("عبد الرحمن", "حداد", "+963912345678", "ar", "", ["متطوع"], S, ""),
        },
    ),
    "mailchimp_unsubscribed.csv": (
        "mailchimp",
        "utf-8",
        {
            "huda.shami@example.org": ("هدى", "الشامي", "", "ar", "", [], U, "UNSUB_TIME"),
            "omar.idlibi@example.org": ("عمر", "الإدلبي", "", "ar", "", [], U, "UNSUB_TIME"),
        },
    ),
    "mailchimp_cleaned.csv": (
        "mailchimp",
        "utf-8",
        {"salma.ali@example.org": ("سلمى", "العلي", "", "ar", "", [], B, "CLEAN_TIME")},
    ),
    "action_network.csv": (
        "action_network",
        "utf-8",
        {
            "layla.homsi@example.org": (
                "ليلى",
                "الحمصي",
                "+905321234567",
                "ar",
                "غازي عنتاب",
                ["Aleppo volunteers", "Press"],
                S,
                "",
            ),
            "yousef.halabi@example.org": ("يوسف", "الحلبي", "", "ar", "إسطنبول", [], U, "can2_subscription_status"),
            "maryam.darwish@example.org": ("مريم", "درويش", "", "ar", "", [], B, "can2_subscription_status"),
        },
    ),
    "listmonk_export.csv": (
        "listmonk",
        "utf-8",
        {
            "khaled.naser@example.org": ("خالد", "ناصر", "+963933222111", "en", "حلب", [], S, ""),
            "nour.saleh@example.org": ("نور الدين", "صالح", "", "ar", "", [], U, "status"),
            "amal.youssef@example.org": ("أمل", "يوسف", "", "ar", "", [], U, "status"),
        },
    ),
    "listmonk_import.csv": (
        "listmonk",
        "utf-8",
        {"bakr.ali@example.org": ("أبو بكر", "العلي", "", "ar", "إدلب", [], S, "")},
    ),
    "civicrm.csv": (
        "civicrm",
        "utf-8",
        {
            "sami.haddad@example.org": ("Sami", "Haddad", "+442079460018", "en", "London", [], S, ""),
            "abdullah.masri@example.org": ("عبد الله", "المصري", "", "ar", "دمشق", [], U, "Do Not Email"),
            "rana.qasem@example.org": ("رنا", "قاسم", "", "ar", "حمص", [], U, "No Bulk Emails (User Opt Out)"),
        },
    ),
    "civicrm_windows_arabic.csv": (
        "civicrm",
        "cp1256",
        {
            "zainab.kurdi@example.org": ("زينب", "الكردي", "", "ar", "القامشلي", [], U, "Is Opt Out"),
            "tareq.issa@example.org": ("طارق", "عيسى", "", "en", "حماة", [], S, ""),
        },
    ),
    "google_contacts.csv": (
        "google",
        "utf-8-sig",
        {
            "abdulkarim.souri@example.org": (
                "عبد الكريم",
                "السوري",
                "+963991234567",
                "ar",
                "اللاذقية",
                ["Volunteers"],
                S,
                "",
            ),
            "heba.mansour@example.org": ("هبة", "منصور", "", "ar", "", ["الإعلام"], S, ""),
        },
    ),
    "google_contacts_legacy.csv": (
        "google",
        "utf-8",
        {
            "abubakr.hamawi@example.org": ("أبو بكر", "الحموي", "+963944555666", "ar", "", ["الإعلام"], S, ""),
            "dana.kassab@example.org": ("Dana", "Kassab", "", "en", "", [], S, ""),
        },
    ),
    "outlook_unicode_text.txt": (
        "outlook",
        "utf-16",
        {
            "wafaa.dimashqi@example.org": (
                "وفاء",
                "الدمشقي",
                "+963955111222",
                "ar",
                "دمشق",
                ["Aleppo", "Press"],
                S,
                "",
            ),
            "rami.azar@example.org": ("Rami", "Azar", "+905337654321", "ar", "Mersin", ["Volunteers"], S, ""),
        },
    ),
}


def landed(contact):
    return (
        contact.given_name,
        contact.family_name,
        contact.phone,
        contact.language,
        contact.city,
        sorted(tag.name for tag in contact.tags.all()),
        contact.status,
    )


def said_by(contact):
    """The column the consent event of an opted-out contact names ('' for a subscribed one)."""
    event = contact.consent_events.get()
    return event.detail.get("column", "")


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_an_export_imports_with_every_field_in_its_place_and_its_opt_outs_honoured(name):
    source, encoding, expected = EXPORTS[name]
    plan = inspect(FIXTURES / name)
    result = import_file(FIXTURES / name, a_list("Imported"), plan=plan)
    contacts = {email: Contact.objects.by_email(email) for email in expected}
    found = {email: (*landed(contact), said_by(contact)) if contact else None for email, contact in contacts.items()}
    assert (plan.source, plan.encoding, result.created, result.errors, found) == (
        source,
        encoding,
        len(expected),
        [],
        {email: (*fields[:5], sorted(fields[5]), *fields[6:]) for email, fields in expected.items()},
    )


def test_the_consent_event_of_an_opt_out_names_the_file_and_the_column():
    import_file(FIXTURES / "civicrm.csv", a_list("Civi"), file_name="civicrm.csv")
    event = Contact.objects.by_email("abdullah.masri@example.org").consent_events.get()
    assert (event.kind, event.method, event.detail) == (
        ConsentEvent.Kind.UNSUBSCRIBED,
        "import",
        {"file": "civicrm.csv", "column": "Do Not Email"},
    )


def test_an_existing_subscriber_a_file_says_opted_out_is_unsubscribed_with_a_consent_event():
    from .helpers import make_contact

    contact = make_contact(email="huda.shami@example.org")
    result = import_file(FIXTURES / "mailchimp_unsubscribed.csv", a_list("Old"))
    contact.refresh_from_db()
    kinds = list(contact.consent_events.values_list("kind", "detail__column"))
    assert (contact.status, result.updated, kinds) == ("unsubscribed", 1, [("unsubscribed", "UNSUB_TIME")])


def test_a_file_never_resubscribes_someone_who_unsubscribed_in_hamla():
    from .helpers import make_contact

    contact = make_contact(email="rania.khatib@example.org", status=Contact.Status.UNSUBSCRIBED)
    import_file(FIXTURES / "mailchimp_subscribed.csv", a_list("Again"))
    contact.refresh_from_db()
    assert contact.status == "unsubscribed"


def test_people_an_export_says_opted_out_are_never_in_a_newsletters_audience():
    from tests.messaging.helpers import make_message

    contact_list = a_list("Everyone")
    for name in ("mailchimp_subscribed.csv", "mailchimp_unsubscribed.csv", "mailchimp_cleaned.csv", "civicrm.csv"):
        import_file(FIXTURES / name, contact_list)
    import_file(FIXTURES / "listmonk_export.csv", contact_list)
    import_file(FIXTURES / "action_network.csv", contact_list)
    message = make_message(contact_list)
    message.schedule()
    message.start()
    queued = set(message.deliveries.filter(status=Delivery.Status.QUEUED).values_list("contact_id", flat=True))
    mailed = {Contact.objects.get(pk=pk).email for pk in queued}
    assert mailed == {
        "rania.khatib@example.org",
        "abdulrahman.haddad@example.org",
        "sami.haddad@example.org",
        "khaled.naser@example.org",
        "layla.homsi@example.org",
    }


def test_an_unknown_status_word_imports_the_person_as_awaiting_confirmation_and_reports_it(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("email,name,status\nghada@example.org,غادة,maybe later\n", encoding="utf-8")
    result = import_file(path, a_list())
    error = result.errors[0]
    contact = Contact.objects.by_email("ghada@example.org")
    assert (contact.status, error["line"], error["reason"].code, error["field"]) == (
        "pending",
        2,
        "unknown_status",
        "status",
    )


@pytest.mark.parametrize(
    "value, code",
    [
        ("en_US", "en"),
        ("English", "en"),
        ("english", "en"),
        ("English (United States)", "en"),
        ("en-GB", "en"),
        ("العربية", "ar"),
        ("ar-SY", "ar"),
        ("ar_EG", "ar"),
        ("ar", "ar"),
        ("Arabic", "ar"),
        ("Arabic (Syria)", "ar"),
        ("عربي", "ar"),
        ("tr", "tr"),
        ("tr_TR", "tr"),
        ("Türkçe", "tr"),
        ("TÜRKÇE", "tr"),
        ("Turkish", "tr"),
        ("fr_FR", ""),
        ("", ""),
    ],
)
def test_language_values_are_normalised_to_hamlas_codes(value, code):
    assert normalise_language(value) == code


@pytest.mark.parametrize(
    "cell, tags",
    [
        ('"volunteer","aleppo"', ["volunteer", "aleppo"]),
        ('"volunteer"', ["volunteer"]),
        ("* myContacts ::: Volunteers", ["Volunteers"]),
        ("* myContacts ::: * starred ::: الإعلام ::: Press", ["الإعلام", "Press"]),
        ("System Group: My Contacts ::: Family", ["Family"]),
        ("Press;Aleppo", ["Press", "Aleppo"]),
        ("Aleppo volunteers, Press", ["Aleppo volunteers", "Press"]),
        ("شباب، متطوع", ["شباب", "متطوع"]),
    ],
)
def test_tags_cells_split_into_names_without_quotes_or_system_labels(cell, tags):
    assert split_tags(cell) == tags


def test_an_exports_own_bookkeeping_columns_are_not_listed_as_unrecognised():
    plan = inspect(FIXTURES / "mailchimp_unsubscribed.csv")
    assert plan.unknown_columns == ["Address"]
