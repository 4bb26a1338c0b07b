"""Columns mapped by hand (issue 12, finding 2): `import_contacts --map`, saved mappings,
and the import page's mapping step (a preview of the first rows, each column's meaning
changeable before anything is written)."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import AuditEvent
from contacts.models import Contact, ContactList, ImportJob, ImportMapping
from contacts.tasks import run_import
from tests.factories import organizer_client

from .helpers import write_csv

pytestmark = pytest.mark.django_db

# The shape of a Google Contacts export (legacy "Google CSV" columns), with custom fields
# a generic importer cannot know: where the city and the neighbourhood are is the
# organizer's knowledge, not the file's.
GOOGLE = [
    "Name,Given Name,Family Name,Nickname,Group Membership,E-mail 1 - Type,E-mail 1 - Value,"
    "Phone 1 - Type,Phone 1 - Value,Custom Field 1 - Type,Custom Field 1 - Value,Custom Field 2 - Type,"
    "Custom Field 2 - Value",
    "عبد الرحمن حداد,عبد الرحمن,حداد,أبو علي,* myContacts,* Home,abdulrahman@example.org,Mobile,"
    "+90 532 111 2233,المدينة,غازي عنتاب,الحي,شاهين بي",
    "Lina Haddad,Lina,Haddad,,* myContacts,* Work,lina@example.org,,,المدينة,Istanbul,الحي,Fatih",
]
GOOGLE_MAP = (
    "E-mail 1 - Value=email,Phone 1 - Value=phone,Given Name=given_name,Family Name=family_name,"
    "Custom Field 1 - Value=city,Custom Field 2 - Value=neighbourhood,Name=ignore"
)


def test_a_google_contacts_file_imports_with_columns_mapped_on_the_command_line(tmp_path):
    path = write_csv(tmp_path / "contacts.csv", GOOGLE)
    call_command("import_contacts", str(path), "--list", "Google", "--map", GOOGLE_MAP, stdout=open("/dev/null", "w"))
    contact = Contact.objects.by_email("abdulrahman@example.org")
    landed = (contact.given_name, contact.family_name, contact.phone, contact.city, contact.neighbourhood)
    assert landed == ("عبد الرحمن", "حداد", "+905321112233", "غازي عنتاب", "شاهين بي")


def test_a_mapping_saved_on_the_page_is_applied_by_name_on_the_command_line(tmp_path):
    from contacts.importing.mapping import parse_map

    ImportMapping.objects.create(name="Google", columns=parse_map(GOOGLE_MAP), headers=GOOGLE[0].split(","))
    path = write_csv(tmp_path / "contacts.csv", GOOGLE)
    call_command("import_contacts", str(path), "--list", "G", "--mapping", "Google", stdout=open("/dev/null", "w"))
    assert Contact.objects.by_email("lina@example.org").neighbourhood == "Fatih"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("E-mail 1 - Value=mail_address", "unknown_field"),
        ("E-mail 2 - Value=email", "unknown_header"),
        ("E-mail 1 - Value", "bad_map"),
        ("=email", "bad_map"),
        ("E-mail 1 - Value=email,Name=email", "field_twice"),
    ],
)
def test_a_bad_map_is_refused_with_its_code_and_nothing_is_written(tmp_path, value, code):
    path = write_csv(tmp_path / "contacts.csv", GOOGLE)
    with pytest.raises(CommandError) as refused:
        call_command("import_contacts", str(path), "--list", "Google", "--map", value)
    assert (refused.value.code, Contact.objects.count(), ContactList.objects.count()) == (code, 0, 0)


def test_an_unknown_saved_mapping_is_refused_with_its_code(tmp_path):
    path = write_csv(tmp_path / "contacts.csv", GOOGLE)
    with pytest.raises(CommandError) as refused:
        call_command("import_contacts", str(path), "--list", "Google", "--mapping", "Nobody saved this")
    assert refused.value.code == "unknown_mapping"


def test_map_headers_may_hold_arabic_and_spaces_and_override_what_was_detected(tmp_path):
    path = write_csv(
        tmp_path / "a.csv", ["البريد الإلكتروني,الاسم,ملاحظة المنظم", "rim@example.org,ريم,تعرفنا في الحي"]
    )
    call_command(
        "import_contacts", str(path), "--list", "L", "--map", "ملاحظة المنظم=notes,الاسم=given_name",
        stdout=open("/dev/null", "w"),
    )  # fmt: skip
    contact = Contact.objects.by_email("rim@example.org")
    assert (contact.given_name, contact.family_name, contact.notes) == ("ريم", "", "تعرفنا في الحي")


# --- the page -------------------------------------------------------------------------------


def upload(client, lines, name="google.csv", **extra):
    content = ("\r\n".join(lines) + "\r\n").encode("utf-8")
    data = {"file": SimpleUploadedFile(name, content, "text/csv"), "new_list": "Google", "encoding": "auto"} | extra
    return client.post(reverse("contacts:import"), data)


def fields_of(response):
    """{header: the field its select has selected} on the mapping page."""
    form = response.context["form"]
    return {bound.label: bound.value() for _i, _name, bound in form.column_fields() if bound is not None}


def start(client, url, response, **changes):
    data = {f"col_{i}": bound.value() for i, _name, bound in response.context["form"].column_fields() if bound}
    names = {bound.label: f"col_{i}" for i, _name, bound in response.context["form"].column_fields() if bound}
    data.update({names[header]: field for header, field in changes.items() if header in names})
    data.update({key: value for key, value in changes.items() if key not in names})
    return client.post(url, data | {"start": "1"})


ACTIONNET = [
    "الاسم,البريد الإلكتروني,الهاتف,Ort,Kommentar",
    "ريم حداد,rim@example.org,,Gaziantep,تعرفنا في الحي",
    "Omar Said,omar@example.org,,Istanbul,",
]


def test_the_page_previews_detected_meanings_then_imports_the_columns_as_changed(django_capture_on_commit_callbacks):
    client = organizer_client()
    response = upload(client, ACTIONNET)
    assert response.status_code == 302 and not ImportJob.objects.exists()  # nothing written yet
    url = response["Location"]
    page = client.get(url)
    shown = page.content.decode()
    assert fields_of(page) == {
        "الاسم": "full_name",
        "البريد الإلكتروني": "email",
        "الهاتف": "phone",
        "Ort": "ignore",
        "Kommentar": "ignore",
    }
    assert "rim@example.org" in shown and "تعرفنا في الحي" in shown  # the first rows, for the organizer
    assert AuditEvent.objects.filter(action="contacts.import_preview").count() == 1
    with django_capture_on_commit_callbacks(execute=False):
        started = start(client, url, page, Ort="city", Kommentar="notes")
    job = ImportJob.objects.get()
    assert started.status_code == 302 and started["Location"] == job.get_absolute_url()
    assert run_import(job.pk) is True
    contact = Contact.objects.by_email("rim@example.org")
    landed = (contact.given_name, contact.family_name, contact.city, contact.notes)
    assert landed == ("ريم", "حداد", "Gaziantep", "تعرفنا في الحي") and not Path(job.path).exists()


# Nothing any tool's export calls its email column: only the organizer knows.
UNNAMED = ["الاسم,عنوان المراسلة,ملاحظة", "ريم حداد,rim@example.org,", "Omar Said,omar@example.org,"]


def test_a_file_with_no_email_or_phone_column_goes_to_the_mapping_step_with_a_prompt(
    django_capture_on_commit_callbacks,
):
    client = organizer_client()
    response = upload(client, UNNAMED)
    page = client.get(response["Location"])
    assert page.status_code == 200 and page.context["no_contact_column"]
    refused = start(client, response["Location"], page)  # unchanged: still no email or phone
    assert refused.status_code == 422 and refused.context["form"].non_field_errors().as_data()[0].code == (
        "no_contact_column"
    )
    with django_capture_on_commit_callbacks(execute=False):
        start(client, response["Location"], page, **{"عنوان المراسلة": "email"})
    assert run_import(ImportJob.objects.get().pk) and Contact.objects.by_email("omar@example.org")


def test_two_columns_mapped_to_one_field_are_refused_on_the_page():
    client = organizer_client()
    response = upload(client, ACTIONNET)
    page = client.get(response["Location"])
    refused = start(client, response["Location"], page, Ort="email")
    assert refused.context["form"].non_field_errors().as_data()[0].code == "field_twice"
    assert not ImportJob.objects.exists()


def test_a_mapping_saved_on_the_page_is_offered_for_the_next_file_with_the_same_headers(
    django_capture_on_commit_callbacks,
):
    client = organizer_client()
    first = upload(client, ACTIONNET)
    page = client.get(first["Location"])
    with django_capture_on_commit_callbacks(execute=False):
        start(client, first["Location"], page, Ort="city", Kommentar="notes", save_as="Action Network")
    saved = ImportMapping.objects.get()
    assert saved.columns["Ort"] == "city"
    second = client.get(upload(client, ACTIONNET, name="again.csv")["Location"])
    assert second.context["chosen"] == saved and fields_of(second)["Ort"] == "city"
    other = client.get(upload(client, UNNAMED, name="other.csv")["Location"])
    assert other.context["chosen"] is None


def test_saving_a_mapping_under_a_name_taken_in_another_case_replaces_that_one(django_capture_on_commit_callbacks):
    ImportMapping.objects.create(name="Action Network", columns={"Ort": "notes"}, headers=["Ort"])
    client = organizer_client()
    first = upload(client, ACTIONNET)
    with django_capture_on_commit_callbacks(execute=False):
        start(client, first["Location"], client.get(first["Location"]), Ort="city", save_as="action network")
    assert list(ImportMapping.objects.values_list("name", "columns__Ort")) == [("Action Network", "city")]


def test_a_bad_file_is_refused_on_upload_with_its_message_and_leaves_nothing(settings):
    client = organizer_client()
    response = client.post(
        reverse("contacts:import"),
        {"file": SimpleUploadedFile("photo.jpg", bytes(range(256)) * 20), "new_list": "X", "encoding": "auto"},
    )
    assert response.status_code == 422 and response.context["form"].errors["file"]
    assert not list((settings.VAR_DIR / "imports").glob("upload-*")) and not ContactList.objects.exists()


def test_cancelling_the_mapping_step_deletes_the_upload(settings):
    client = organizer_client()
    url = upload(client, ACTIONNET)["Location"]
    client.post(url, {"cancel": "1"})
    assert not list((settings.VAR_DIR / "imports").glob("upload-*"))
    assert client.get(url).status_code == 404


def test_another_organizer_cannot_open_someone_elses_mapping_step():
    url = upload(organizer_client(), ACTIONNET)["Location"]
    assert organizer_client().get(url).status_code == 404
