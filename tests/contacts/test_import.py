import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError
from django.utils import translation

from contacts import importing
from contacts.importing import ImportFailed, import_file, pipeline
from contacts.models import ConsentEvent, Contact, ContactList, ImportJob, Membership, Tag
from tests.factories import make_user

from .helpers import a_list, crash_on_third_batch, make_contact, write_csv

pytestmark = pytest.mark.django_db

ARABIC_FILE = [
    "الاسم;البريد الإلكتروني;الهاتف;اللغة;المنطقة;الوسوم;العمود المجهول",
    "أحمد الحلبي;ahmad@example.org;0944 123 456;عربي;حلب;شباب، متطوع;x",
    "Lina Haddad;LINA@example.org;;english;Gaziantep;;",
    "بلا بريد;not-an-email;;;;;",
    "مكرر;Ahmad@Example.org;;;;;",
    "هاتف فقط;;+963 933 222 111;;;;",
    "هاتف خطأ;;12;;;;",
    "فارغ;;;;;;",
]


def run_command(*args):
    out = StringIO()
    call_command("import_contacts", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.parametrize(
    "encoding, newline, expected",
    [
        ("cp1256", "\r\n", "cp1256"),
        ("utf-8-sig", "\n", "utf-8-sig"),
        ("utf-8", "\r\n", "utf-8"),
        ("utf-16", "\r\n", "utf-16"),
    ],
)
def test_it_detects_the_encoding_and_reads_arabic_headers(tmp_path, encoding, newline, expected):
    lines = ARABIC_FILE if encoding != "utf-16" else [line.replace(";", "\t") for line in ARABIC_FILE]
    path = write_csv(tmp_path / "a.csv", lines, encoding, newline)
    result = run_command(str(path), "--list", "Aleppo")
    assert result["encoding"] == expected
    assert (result["created"], result["updated"], result["skipped"]) == (3, 0, 1)
    assert result["errors"] == [
        {"line": 4, "reason": "invalid email address"},
        {"line": 7, "reason": "invalid phone number"},
        {"line": 8, "reason": "no email or phone"},
    ]
    assert result["unknown_columns"] == ["العمود المجهول"]
    ahmad = Contact.objects.by_email("ahmad@example.org")
    assert (ahmad.given_name, ahmad.family_name, ahmad.phone) == ("أحمد", "الحلبي", "+963944123456")
    assert (ahmad.language, ahmad.city, ahmad.status) == ("ar", "حلب", "subscribed")
    assert sorted(t.name for t in ahmad.tags.all()) == ["شباب", "متطوع"]
    assert Contact.objects.by_email("lina@example.org").language == "en"
    assert Contact.objects.by_phone("0933222111").count() == 1


def test_reimporting_the_same_file_creates_nothing_new(tmp_path):
    path = write_csv(tmp_path / "a.csv", ARABIC_FILE, "cp1256")
    run_command(str(path), "--list", "Aleppo")
    counts = (Contact.objects.count(), Membership.objects.count(), ConsentEvent.objects.count(), Tag.objects.count())
    again = run_command(str(path), "--list", "Aleppo")
    assert (again["created"], again["updated"]) == (0, 0)
    assert again["skipped"] == 4
    assert counts == (
        Contact.objects.count(),
        Membership.objects.count(),
        ConsentEvent.objects.count(),
        Tag.objects.count(),
    )


def test_an_existing_contact_joins_the_new_list_and_is_counted_as_updated(tmp_path):
    make_contact(email="ahmad@example.org", phone="", contact_list=a_list("Old"))
    path = write_csv(tmp_path / "a.csv", ["email,phone", "ahmad@example.org,0944123456"])
    result = run_command(str(path), "--list", "New")
    assert (result["created"], result["updated"]) == (0, 1)
    contact = Contact.objects.by_email("ahmad@example.org")
    assert sorted(contact.lists.values_list("name", flat=True)) == ["New", "Old"]
    assert contact.phone == "+963944123456"  # an empty field was filled in


def test_it_never_resubscribes_someone_who_unsubscribed_or_left_the_list(tmp_path):
    contact_list = a_list("Aleppo")
    gone = make_contact(email="gone@example.org", contact_list=contact_list)
    gone.leave_list(contact_list)
    out = make_contact(email="out@example.org")
    out.unsubscribe("one_click")
    path = write_csv(tmp_path / "a.csv", ["email", "gone@example.org", "out@example.org"])
    run_command(str(path), "--list", "Aleppo")
    assert not Membership.objects.get(contact=gone, contact_list=contact_list).subscribed
    out.refresh_from_db()
    assert out.status == Contact.Status.UNSUBSCRIBED


def test_each_imported_contact_gets_a_consent_event_naming_who_and_which_file(tmp_path):
    user = make_user()
    path = write_csv(tmp_path / "march-supporters.csv", ["email", "a@example.org", "b@example.org"])
    import_file(path, a_list("March"), actor=user)
    events = ConsentEvent.objects.filter(kind="subscribed", method="import")
    assert events.count() == 2
    assert {(e.actor_id, e.detail["file"], e.contact_list.name) for e in events} == {
        (user.pk, "march-supporters.csv", "March")
    }


UNREADABLE = [
    (b"", "empty"),
    (bytes(range(256)) * 40, "binary"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 500, "binary"),
    (b"colour;size\nred;L\n", "no_contact_column"),
    (b"email\nok@example.org\n\xff\xfe\x00\x00broken", "not_text"),
]


@pytest.mark.parametrize("content, code", UNREADABLE)
def test_an_unreadable_file_is_refused_with_its_reason_and_changes_nothing(tmp_path, content, code):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(ImportFailed) as refused:
        import_file(path, a_list("Never"), encoding="utf-8" if b"broken" in content else "auto")
    assert (refused.value.code, Contact.objects.exists()) == (code, False)


def test_the_command_reports_a_refused_file_in_one_sentence_and_creates_no_list(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"")
    with pytest.raises(CommandError) as refused, translation.override("en"):
        call_command("import_contacts", str(path), "--list", "Never")
    assert (str(refused.value), ContactList.objects.exists()) == ("The file is empty.", False)


def test_a_dry_run_counts_without_writing(tmp_path):
    path = write_csv(tmp_path / "a.csv", ARABIC_FILE, "cp1256")
    out = StringIO()
    call_command("import_contacts", str(path), "--list", "Aleppo", "--dry-run", "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert (result["created"], result["skipped"], len(result["errors"])) == (3, 1, 3)
    assert not Contact.objects.exists() and not ContactList.objects.exists()


def test_hostile_cells_are_stored_as_text(tmp_path):
    path = write_csv(tmp_path / "a.csv", ["name,email", '=HYPERLINK("http://evil"),evil@example.org'])
    result = run_command(str(path), "--list", "L")
    assert result["created"] == 1
    assert Contact.objects.by_email("evil@example.org").given_name == '=HYPERLINK("http://evil")'


def test_a_field_over_the_csv_limit_fails_the_file_before_anything_is_written(tmp_path):
    # Read past, the rest of the broken field would be parsed as rows of its own.
    huge = "x" * 200_000
    lines = ["name,email", "ok,ok@example.org", f'"{huge}\nsmuggled,smuggled@example.org\n{huge}",big@example.org']
    path = write_csv(tmp_path / "a.csv", lines)
    with pytest.raises(ImportFailed) as refused:
        import_file(path, a_list("L"))
    assert (refused.value.code, refused.value.params["line"], Contact.objects.exists()) == ("bad_record", 3, False)


@pytest.mark.django_db(transaction=True)
def test_tabs_backslashes_and_newlines_survive_the_bulk_path(tmp_path):
    path = write_csv(tmp_path / "a.csv", ["name,email,notes", '"Tab\tby \\N",tab@example.org,"line1\nline2\\"'])
    result = import_file(path, a_list(), file_name="we\\ird\tname.csv")
    assert result.created == 1
    contact = Contact.objects.by_email("tab@example.org")
    assert (contact.given_name, contact.family_name, contact.notes) == ("Tab\tby", "\\N", "line1\nline2\\")
    assert ConsentEvent.objects.get(contact=contact).detail == {"file": "we\\ird\tname.csv"}


def test_a_crash_midway_keeps_whole_batches_and_the_job_resumes_after_them(tmp_path, monkeypatch):
    lines = ["email"] + [f"person{i}@example.org" for i in range(25)]
    path = write_csv(tmp_path / "a.csv", lines)
    contact_list = a_list()
    job = ImportJob.objects.create(
        contact_list=contact_list, file_name="a.csv", path=str(path), size=path.stat().st_size
    )
    recover = crash_on_third_batch(monkeypatch)
    with pytest.raises(RuntimeError):
        import_file(path, contact_list, job=job, batch_size=10)
    job.refresh_from_db()
    assert (job.line, job.created_count, Contact.objects.count()) == (21, 20, 20)
    assert Membership.objects.count() == ConsentEvent.objects.count() == 20  # no half-written batch

    recover()
    result = import_file(path, contact_list, job=job, batch_size=10)
    assert (result.created, Contact.objects.count()) == (25, 25)


def test_inspect_rejects_files_over_the_size_limit(tmp_path, settings):
    settings.HAMLA_MAX_IMPORT_BYTES = 10
    path = write_csv(tmp_path / "a.csv", ["email", "a@example.org"])
    with pytest.raises(ImportFailed) as refused:
        importing.inspect(path)
    assert (refused.value.code, refused.value.params["limit"]) == ("too_large", 10)


def test_integrity_errors_other_than_races_are_not_swallowed_forever(tmp_path, monkeypatch):
    def always_conflict(*args, **kwargs):
        raise IntegrityError("duplicate")

    monkeypatch.setattr(pipeline, "insert_rows", always_conflict)
    path = write_csv(tmp_path / "a.csv", ["email", "a@example.org"])
    with pytest.raises(IntegrityError):
        import_file(path, a_list())


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_batches_commit_in_order_and_a_crash_still_resumes(tmp_path, monkeypatch):
    # On PostgreSQL this is the pipelined path (a writer thread on its own connection).
    lines = ["email,tags"] + [f"p{i}@example.org,t{i % 3}" for i in range(25)] + ["p3@example.org,"]
    path = write_csv(tmp_path / "a.csv", lines)
    contact_list = a_list()
    job = ImportJob.objects.create(contact_list=contact_list, file_name="a.csv", path=str(path), size=1)
    recover = crash_on_third_batch(monkeypatch)
    with pytest.raises(RuntimeError):
        import_file(path, contact_list, job=job, batch_size=10)
    job.refresh_from_db()
    assert (job.line, job.created_count, Contact.objects.count(), Membership.objects.count()) == (21, 20, 20, 20)

    recover()
    result = import_file(path, contact_list, job=job, batch_size=10)
    assert (result.created, result.skipped, Contact.objects.count()) == (25, 1, 25)
    assert Contact.tags.through.objects.count() == 25


def test_the_command_reads_the_file_through_once_before_importing(tmp_path, monkeypatch):
    path = write_csv(tmp_path / "a.csv", ["email", "a@example.org"])
    real_inspect, calls = importing.inspect, []
    # Both names: the command's (looked up when it runs) and the pipeline's own.
    for module in (importing, pipeline):
        monkeypatch.setattr(module, "inspect", lambda *args, **kw: calls.append(1) or real_inspect(*args, **kw))
    assert run_command(str(path), "--list", "L")["created"] == 1
    assert len(calls) == 1
