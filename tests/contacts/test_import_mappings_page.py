"""The saved import mappings' pages: listed with what they are for, renamed, deleted (through
the confirmation step), both audited; organizers only, and a GET never changes anything."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditEvent
from accounts.roles import ORGANIZER
from contacts.models import ImportJob, ImportMapping
from tests.factories import logged_in, make_user, organizer_client, volunteer_client

from .helpers import a_list

pytestmark = pytest.mark.django_db

GOOGLE_HEADERS = ["Name", "Given Name", "Family Name", "E-mail 1 - Value", "Phone 1 - Value", "Custom Field 1 - Value"]
GOOGLE_COLUMNS = {
    "Name": "ignore",
    "Given Name": "given_name",
    "Family Name": "family_name",
    "E-mail 1 - Value": "email",
    "Phone 1 - Value": "phone",
    "Custom Field 1 - Value": "city",
}


def a_mapping(name="Google", user=None, **fields):
    fields = {"columns": GOOGLE_COLUMNS, "headers": GOOGLE_HEADERS} | fields
    return ImportMapping.objects.create(name=name, created_by=user, **fields)


def url_of(mapping):
    return reverse("contacts:import_mapping", args=[mapping.pk])


def audited(action, mapping):
    return list(
        AuditEvent.objects.filter(action=action, object_id=str(mapping.pk)).values_list("actor_username", "detail")
    )


def test_the_list_shows_each_mapping_with_its_columns_headers_maker_and_date():
    maker = make_user(ORGANIZER, username="rana")
    a_mapping("Google", user=maker)
    a_mapping("جمعية الحي", columns={"البريد": "email"}, headers=["البريد", "الاسم"])
    page = organizer_client().get(reverse("contacts:import_mappings")).content.decode()
    shown = ("Google", "جمعية الحي", "rana", "Custom Field 1 - Value", "البريد", ">6</td>", ">1</td>")
    assert [text for text in shown if text not in page] == []


def test_the_list_shows_the_first_headers_of_a_wide_file_and_counts_the_rest():
    a_mapping(headers=[f"Column {n}" for n in range(1, 11)])
    response = organizer_client().get(reverse("contacts:import_mappings"))
    assert [(row[1][-1], row[2]) for row in response.context["rows"]] == [("Column 6", 4)]


def test_a_mappings_page_shows_what_each_column_is_imported_as_in_the_files_order():
    response = organizer_client().get(url_of(a_mapping()))
    assert [header for header, _meaning in response.context["mapping"].fields()] == GOOGLE_HEADERS


def test_renaming_a_mapping_changes_its_name_and_is_audited():
    user = make_user(ORGANIZER)
    mapping = a_mapping()
    response = logged_in(user).post(url_of(mapping), {"name": "  Google Contacts  "})
    mapping.refresh_from_db()
    assert (response.status_code, mapping.name, audited("contacts.import_mapping_rename", mapping)) == (
        302,
        "Google Contacts",
        [(user.username, {"columns": 6})],
    )


@pytest.mark.parametrize("taken", ["Mailchimp", "mailchimp"])
def test_a_name_another_mapping_has_is_refused_with_the_code_duplicate(taken):
    a_mapping("Mailchimp")
    mapping = a_mapping("Google")
    response = organizer_client().post(url_of(mapping), {"name": taken})
    codes = [error.code for error in response.context["form"].errors.as_data()["name"]]
    assert (response.status_code, codes, ImportMapping.objects.get(pk=mapping.pk).name) == (
        400,
        ["duplicate"],
        "Google",
    )


def test_a_name_taken_between_the_check_and_the_write_is_refused_as_a_duplicate_not_a_crash(monkeypatch):
    from contacts.forms import MappingNameForm

    a_mapping("Mailchimp")
    mapping = a_mapping("Google")
    monkeypatch.setattr(MappingNameForm, "clean_name", lambda form: form.cleaned_data["name"])
    response = organizer_client().post(url_of(mapping), {"name": "Mailchimp"})
    codes = [error.code for error in response.context["form"].errors.as_data()["name"]]
    assert (response.status_code, codes) == (400, ["duplicate"])


@pytest.mark.parametrize(("name", "code"), [("   ", "required"), ("x" * 101, "max_length")])
def test_an_empty_or_too_long_name_is_refused_with_its_code(name, code):
    mapping = a_mapping()
    response = organizer_client().post(url_of(mapping), {"name": name})
    codes = [error.code for error in response.context["form"].errors.as_data()["name"]]
    assert (response.status_code, codes, ImportMapping.objects.get(pk=mapping.pk).name) == (400, [code], "Google")


def test_keeping_the_same_name_changes_nothing_and_records_nothing():
    mapping = a_mapping()
    organizer_client().post(url_of(mapping), {"name": "Google"})
    assert audited("contacts.import_mapping_rename", mapping) == []


def test_delete_shows_the_confirmation_step_first_and_deletes_nothing():
    mapping = a_mapping()
    response = organizer_client().post(url_of(mapping), {"delete": "1"})
    assert (response.templates[0].name, ImportMapping.objects.filter(pk=mapping.pk).exists()) == (
        "accounts/confirm.html",
        True,
    )


def test_a_confirmed_delete_removes_the_mapping_is_audited_and_leaves_the_imports_made_with_it():
    user = make_user(ORGANIZER)
    mapping = a_mapping()
    job = ImportJob.objects.create(
        contact_list=a_list(),
        file_name="google.csv",
        path="/nonexistent/google.csv",
        state="done",
        mapping=GOOGLE_COLUMNS,
    )
    logged_in(user).post(url_of(mapping), {"delete": "1", "confirm": "delete"})
    job.refresh_from_db()
    assert (
        ImportMapping.objects.filter(pk=mapping.pk).exists(),
        audited("contacts.import_mapping_delete", mapping),
        job.mapping,
    ) == (False, [(user.username, {"columns": 6})], GOOGLE_COLUMNS)


@pytest.mark.parametrize(
    "query", [{"delete": "1", "confirm": "delete"}, {"name": "Renamed by a link"}], ids=["delete", "rename"]
)
def test_a_get_changes_nothing(query):
    mapping = a_mapping()
    response = organizer_client().get(url_of(mapping), query)
    mapping.refresh_from_db()
    recorded = AuditEvent.objects.filter(action__startswith="contacts.import_mapping").count()
    assert (response.status_code, mapping.name, recorded) == (200, "Google", 0)


@pytest.mark.parametrize(
    ("method", "data"),
    [("get", {}), ("post", {"name": "Volunteer's name"}), ("post", {"delete": "1", "confirm": "delete"})],
    ids=["open", "rename", "delete"],
)
def test_a_volunteer_is_refused_and_changes_nothing(method, data):
    mapping = a_mapping()
    client = volunteer_client()
    answers = [
        getattr(client, method)(reverse("contacts:import_mappings"), data).status_code,
        getattr(client, method)(url_of(mapping), data).status_code,
    ]
    assert (answers, ImportMapping.objects.get(pk=mapping.pk).name) == ([403, 403], "Google")


def test_the_mapping_step_leads_to_the_saved_mappings_and_back_to_the_file():
    a_mapping()
    client = organizer_client()
    content = b"Name,E-mail 1 - Value\r\nRim,rim@example.org\r\n"
    data = {"file": SimpleUploadedFile("google.csv", content, "text/csv"), "new_list": "G", "encoding": "auto"}
    step = client.post(reverse("contacts:import"), data)["Location"]
    token = step.rstrip("/").rsplit("/", 1)[-1]
    listing = f"{reverse('contacts:import_mappings')}?upload={token}"
    links = (listing in client.get(step).content.decode(), step in client.get(listing).content.decode())
    assert links == (True, True)


def test_an_upload_token_not_in_this_session_leads_nowhere():
    response = organizer_client().get(reverse("contacts:import_mappings"), {"upload": "someone-elses"})
    assert response.context["upload"] == ""
