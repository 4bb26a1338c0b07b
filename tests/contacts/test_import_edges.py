"""Import edge cases found in review: retries, resumes, batch boundaries, dry runs, encodings."""

import pytest
from django.db import connection

from contacts.importing import Importer, ImportFailed, import_file
from contacts.models import Contact, ImportJob, Tag

from .helpers import a_list, crash_on_third_batch, write_csv

pytestmark = pytest.mark.django_db


def test_a_signup_racing_the_insert_is_retried_not_fatal(tmp_path, monkeypatch):
    path = write_csv(tmp_path / "a.csv", ["email", "race@example.org", "other@example.org"])
    real_existing, calls = Importer._existing, []

    def signup_sneaks_in(self, rows):
        calls.append(1)
        found = real_existing(self, rows)
        if len(calls) == 1:  # after the lookup, before the insert
            contact = Contact()
            contact.email = "race@example.org"
            contact.save()
        return found

    monkeypatch.setattr(Importer, "_existing", signup_sneaks_in)
    result = import_file(path, a_list())
    assert len(calls) == 2  # the database's unique-violation came back as Django's IntegrityError
    assert result.created == 2 and Contact.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_batch_failing_at_commit_is_counted_once_and_its_new_tags_recreated(tmp_path, monkeypatch):
    path = write_csv(tmp_path / "a.csv", ["email,tags", "a@example.org,brand-new", "b@example.org,brand-new"])
    real_write, calls = Importer._write, []

    def erase_a_contact_before_commit(self, batch):
        counts = real_write(self, batch)
        calls.append(1)
        if len(calls) == 1:
            # As if an erasure elsewhere removed a contact the batch's memberships point to:
            # the foreign keys fail at commit and the whole batch rolls back.
            table = Contact._meta.db_table
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {table} WHERE id = (SELECT MIN(id) FROM {table})")  # noqa: S608
        return counts

    monkeypatch.setattr(Importer, "_write", erase_a_contact_before_commit)
    monkeypatch.setattr(Importer, "_can_pipeline", lambda self: False)
    result = import_file(path, a_list())
    assert len(calls) == 2
    assert (result.created, result.updated, result.skipped) == (2, 0, 0)
    assert Contact.objects.count() == 2
    assert Tag.objects.by_name("brand-new").contacts.count() == 2


def _job(path, contact_list):
    return ImportJob.objects.create(contact_list=contact_list, file_name="a.csv", path=str(path), size=1)


def test_a_resumed_import_reports_every_error_of_the_lines_done_before_the_crash(tmp_path, monkeypatch):
    lines = ["email"] + [f"v{i}@example.org" for i in range(10)] + [f"bad-{i}" for i in range(250)]
    lines += [f"w{i}@example.org" for i in range(30)]
    path = write_csv(tmp_path / "a.csv", lines)
    contact_list = a_list()
    job = _job(path, contact_list)
    recover = crash_on_third_batch(monkeypatch)
    with pytest.raises(RuntimeError):
        import_file(path, contact_list, job=job, batch_size=10)
    job.refresh_from_db()
    assert (job.created_count, job.error_count) == (20, 250)

    recover()
    result = import_file(path, contact_list, job=job, batch_size=10)
    assert (result.created, result.error_count) == (40, 250)
    assert [e["line"] for e in result.errors] == list(range(12, 262))


def test_running_a_finished_job_again_changes_nothing(tmp_path):
    path = write_csv(tmp_path / "a.csv", ["email", "a@example.org", "broken", "b@example.org"])
    contact_list = a_list()
    job = _job(path, contact_list)
    first = import_file(path, contact_list, job=job)
    job.refresh_from_db()
    again = import_file(path, contact_list, job=job)
    job.refresh_from_db()
    assert first.as_dict() == again.as_dict()
    assert (job.line, job.created_count, job.skipped_count, job.error_count) == (4, 2, 0, 1)


@pytest.mark.parametrize("batch_size", [5000, 1])
def test_rows_for_one_person_merge_the_same_however_the_file_is_cut(tmp_path, batch_size):
    lines = ["email,phone,tags", "m@example.org,,a", "m@example.org,0944123456,b", "m@example.org,,a"]
    path = write_csv(tmp_path / "a.csv", lines)
    result = import_file(path, a_list(), batch_size=batch_size)
    contact = Contact.objects.by_email("m@example.org")
    assert contact.phone == "+963944123456"
    assert sorted(t.name for t in contact.tags.all()) == ["a", "b"]
    assert (result.created, result.updated, result.skipped) == (1, 1, 1)


def test_a_dry_run_of_a_file_already_imported_counts_what_a_real_run_would(tmp_path):
    path = write_csv(tmp_path / "a.csv", ["email,tags", "a@example.org,x", "b@example.org,"])
    contact_list = a_list()
    import_file(path, contact_list)
    grown = write_csv(tmp_path / "b.csv", ["email,tags", "a@example.org,x", "b@example.org,y", "c@example.org,"])

    dry = import_file(grown, contact_list, dry_run=True)
    real = import_file(grown, contact_list)
    assert (dry.created, dry.updated, dry.skipped) == (real.created, real.updated, real.skipped) == (1, 1, 1)


def test_an_error_in_a_multi_line_record_names_the_line_it_starts_on(tmp_path):
    path = write_csv(tmp_path / "a.csv", ["email,notes", 'ok@example.org,"one"', 'bad,"two', 'lines"'])
    result = import_file(path, a_list())
    assert [e["line"] for e in result.errors] == [3]


def test_arabic_utf16_without_a_bom_is_recognised(tmp_path):
    # Arabic letters and Arabic-Indic digits: hardly any byte is NUL.
    lines = ["الاسم\tالهاتف", "أحمد الحلبي\t٠٩٤٤١٢٣٤٥٦", "فاطمة الشامي\t٠٩٣٣٢٢٢١١١"]
    path = tmp_path / "a.csv"
    path.write_bytes("\r\n".join(lines).encode("utf-16-le"))
    result = import_file(path, a_list())
    assert (result.encoding, result.created) == ("utf-16-le", 2)
    assert Contact.objects.by_phone("0944123456").get().given_name == "أحمد"


def test_a_quote_never_closed_fails_the_file_instead_of_swallowing_the_next_rows(tmp_path):
    # Read leniently, b and c would end up inside a's encrypted notes.
    lines = ["email,notes", 'a@example.org,"unclosed note', "b@example.org,about b", "c@example.org,x"]
    path = write_csv(tmp_path / "a.csv", lines)
    with pytest.raises(ImportFailed) as refused:
        import_file(path, a_list())
    assert (refused.value.code, refused.value.params["line"], Contact.objects.exists()) == ("bad_record", 2, False)


@pytest.mark.parametrize("batch_size", [5000, 1])
def test_rows_adding_nothing_to_an_existing_contact_count_the_same_however_the_file_is_cut(tmp_path, batch_size):
    from .helpers import make_contact

    make_contact(email="m@example.org", phone="0944123456", contact_list=a_list())
    path = write_csv(tmp_path / "a.csv", ["email,phone", "m@example.org,", "m@example.org,0933222111"])
    result = import_file(path, a_list(), batch_size=batch_size)
    assert (result.created, result.updated, result.skipped) == (0, 0, 2)
    assert Contact.objects.by_email("m@example.org").phone == "+963944123456"
