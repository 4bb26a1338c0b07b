"""A bad field does not lose the person (issue 12, finding 4): the row is kept without
that field and the report names the field, the column and why, with a code; phone
numbers in ranges phonenumbers does not know yet are kept, marked unverified. The value
refused is stored nowhere."""

import logging

import pytest

from contacts.importing import import_file
from contacts.models import Contact, ImportJob
from contacts.tasks import error_report_path, write_error_report

from .helpers import a_list, write_csv

pytestmark = pytest.mark.django_db


def test_a_row_with_a_good_email_and_a_bad_phone_keeps_the_person_without_the_phone(tmp_path):
    path = write_csv(tmp_path / "a.csv", ["name,email,phone", "ريم العلي,reem@example.org,12-34"])
    result = import_file(path, a_list())
    contact = Contact.objects.by_email("reem@example.org")
    error = result.errors[0]
    assert (result.created, contact.phone, error["line"], error["field"], error["reason"].code) == (
        1,
        "",
        2,
        "phone",
        "invalid_phone",
    )


def test_the_report_names_the_column_of_the_bad_field(tmp_path):
    path = write_csv(tmp_path / "a.csv", ["E-mail 1 - Value,Phone 1 - Value", "reem@example.org,12-34"])
    result = import_file(path, a_list())
    assert result.errors[0]["reason"].column == "Phone 1 - Value"


def test_a_row_with_a_good_phone_and_a_bad_email_keeps_the_person_by_phone(tmp_path):
    path = write_csv(tmp_path / "a.csv", ["name,email,phone", "ريم,reem(at)example,0944 123 456"])
    result = import_file(path, a_list())
    contact = Contact.objects.by_phone("+963944123456").get()
    assert (contact.email, [(e["field"], e["reason"].code) for e in result.errors]) == (
        "",
        [("email", "invalid_email")],
    )


@pytest.mark.parametrize(
    "number, stored",
    [
        ("+963 91 234 5678", "+963912345678"),
        ("+963922345678", "+963922345678"),
        ("00963 97 234 5678", "+963972345678"),
        ("0912345678", "+963912345678"),
        ("٠٩٢٢٣٤٥٦٧٨", "+963922345678"),
    ],
)
def test_a_syrian_mobile_phonenumbers_does_not_know_yet_is_kept_unverified(tmp_path, number, stored):
    path = write_csv(tmp_path / "a.csv", ["email,phone", f"sami@example.org,{number}"])
    result = import_file(path, a_list())
    contact = Contact.objects.by_email("sami@example.org")
    assert (result.errors, contact.phone, contact.phone_verified) == ([], stored, False)


def test_a_valid_phone_is_verified(tmp_path):
    path = write_csv(tmp_path / "a.csv", ["email,phone", "sami@example.org,0944 123 456"])
    import_file(path, a_list())
    assert Contact.objects.by_email("sami@example.org").phone_verified is True


def test_the_refused_value_is_stored_nowhere_and_logged_nowhere(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    path = write_csv(tmp_path / "a.csv", ["name,email,phone", "ريم,reem@example.org,99-SECRET-77"])
    job = ImportJob.objects.create(contact_list=a_list(), file_name="a.csv", path=str(path))
    result = import_file(path, job.contact_list, job=job)
    write_error_report(job, result.errors)
    job.refresh_from_db()
    stored = [str(job.errors), error_report_path(job).read_text(encoding="utf-8-sig"), caplog.text]
    assert (result.error_count, [("SECRET" in text) for text in stored]) == (1, [False, False, False])


def test_a_phone_kept_unverified_is_found_by_a_search_for_it(tmp_path):
    path = write_csv(tmp_path / "a.csv", ["email,phone", "new@example.org,0912 345 678"])
    import_file(path, a_list())
    assert list(Contact.objects.by_phone("+963 912 345 678").values_list("email_hash", flat=True)) == [
        Contact.objects.get().email_hash
    ]


def test_a_supporter_with_an_unverified_phone_saves_unchanged_and_is_found_by_the_list_search(tmp_path, client):
    from django.urls import reverse

    from tests.factories import logged_in, make_user

    path = write_csv(tmp_path / "a.csv", ["email,phone", "new@example.org,0912 345 678"])
    import_file(path, a_list())
    contact = Contact.objects.get()
    admin = logged_in(make_user("Admin"))
    form = admin.get(reverse("contacts:edit", args=[contact.pk])).context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() not in (None, False, [])}
    saved = admin.post(reverse("contacts:edit", args=[contact.pk]), data)
    found = admin.post(reverse("contacts:list"), {"q": "0912 345 678"}, follow=True)
    contact.refresh_from_db()
    assert (saved.status_code, contact.phone, contact.phone_verified, [c.pk for c in found.context["contacts"]]) == (
        302,
        "+963912345678",
        False,
        [contact.pk],
    )
