from pathlib import Path

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from contacts.models import Contact, ImportJob
from contacts.tasks import error_report_path, run_import
from tests.factories import organizer_client

pytestmark = pytest.mark.django_db

CSV = "الاسم,البريد الإلكتروني\r\nأحمد,ahmad@example.org\r\nخطأ,bad-address\r\n".encode("cp1256")


def upload(client, content, name="supporters.csv", **extra):
    """Upload, then start the import from the mapping step with the columns as detected."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"file": SimpleUploadedFile(name, content, "text/csv"), "new_list": "Aleppo", "encoding": "auto"} | extra
    uploaded = client.post(reverse("contacts:import"), data)
    step = client.get(uploaded["Location"])
    columns = {f"col_{i}": bound.value() for i, _name, bound in step.context["form"].column_fields() if bound}
    return client.post(uploaded["Location"], columns | {"start": "1"})


def test_an_uploaded_file_is_imported_by_the_task_and_then_deleted(django_capture_on_commit_callbacks):
    client = organizer_client()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = upload(client, CSV)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert len(callbacks) == 1 and Path(job.path).exists()
    assert run_import(job.pk) is True
    job.refresh_from_db()
    assert (job.state, job.created_count, job.error_count, job.detected_encoding) == ("done", 1, 1, "cp1256")
    assert not Path(job.path).exists()
    assert Contact.objects.by_email("ahmad@example.org").given_name == "أحمد"
    report = client.get(reverse("contacts:import_errors", args=[job.pk]))
    assert b"".join(report.streaming_content).decode("utf-8-sig").splitlines()[1].startswith("3,")
    page = client.get(job.get_absolute_url())
    assert page.status_code == 200 and "bad-address" not in page.content.decode()
    status = client.get(reverse("contacts:import_status", args=[job.pk])).json()
    assert status["finished"] and status["percent"] == 100
    assert AuditEvent.objects.filter(action="contacts.import", detail__created=1).exists()
    assert run_import(job.pk) is False  # a redelivered task does nothing


def test_a_binary_upload_is_refused_on_the_page_with_a_clear_message(settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = organizer_client()
    data = {"file": SimpleUploadedFile("photo.jpg", bytes(range(256)) * 20), "new_list": "Aleppo", "encoding": "auto"}
    response = client.post(reverse("contacts:import"), data)
    # In the uploader's language (Arabic here, the default), before any job or list exists.
    assert response.status_code == 422 and "بيانات ثنائية" in response.content.decode()
    assert not ImportJob.objects.exists() and not Contact.objects.exists()
    assert not list((settings.VAR_DIR / "imports").glob("upload-*"))


def test_a_file_that_turned_binary_before_the_worker_ran_fails_the_job_with_a_clear_message(tmp_path):
    from contacts.models import ContactList

    path = tmp_path / "upload-x.csv"
    path.write_bytes(bytes(range(256)) * 20)
    contact_list = ContactList.objects.create(name="Aleppo")
    job = ImportJob.objects.create(contact_list=contact_list, file_name="a.csv", path=str(path), size=5120)
    run_import(job.pk)
    job.refresh_from_db()
    # In the uploader's language (Arabic here, the default).
    assert job.state == "failed" and job.language == "ar" and "بيانات ثنائية" in job.failure
    assert not Contact.objects.exists() and not error_report_path(job).exists() and not path.exists()


def test_an_unexpected_error_fails_the_job_visibly_and_deletes_the_upload(
    django_capture_on_commit_callbacks, monkeypatch
):
    from contacts import tasks

    client = organizer_client()
    with django_capture_on_commit_callbacks(execute=False):
        upload(client, CSV)
    job = ImportJob.objects.get()

    def broken(*args, **kwargs):
        raise ValueError("bug")

    monkeypatch.setattr(tasks, "import_file", broken)
    with pytest.raises(ValueError):
        run_import(job.pk)
    job.refresh_from_db()
    assert job.state == "failed" and job.failure and not Path(job.path).exists()


@pytest.mark.django_db(transaction=True)
def test_a_job_another_live_worker_is_running_is_left_alone(tmp_path):
    import psycopg
    from django.db import connection

    from contacts.models import ContactList
    from contacts.tasks import IMPORT_LOCK
    from tests.services import need_postgres

    need_postgres()
    path = tmp_path / "supporters.csv"
    path.write_bytes(CSV)
    contact_list = ContactList.objects.create(name="Aleppo")
    job = ImportJob.objects.create(contact_list=contact_list, file_name=path.name, path=str(path), size=len(CSV))
    params = connection.get_connection_params()
    other = {k: v for k, v in params.items() if k in ("host", "port", "user", "password", "dbname")}
    with psycopg.connect(**other, autocommit=True) as other_worker:
        other_worker.execute("SELECT pg_advisory_lock(%s, %s)", [IMPORT_LOCK, job.pk])
        assert run_import(job.pk) is False  # a second delivery while the first still runs
        job.refresh_from_db()
        assert job.state == "queued" and not Contact.objects.exists()
    # That worker's connection is gone (as when it crashes): the job is taken up at once.
    assert run_import(job.pk) is True
    assert Contact.objects.by_email("ahmad@example.org").given_name == "أحمد"


def test_deleting_a_list_before_its_import_ran_deletes_the_upload(tmp_path):
    from contacts.models import ContactList

    path = tmp_path / "upload-x.csv"
    path.write_bytes(CSV)
    contact_list = ContactList.objects.create(name="Aleppo")
    ImportJob.objects.create(contact_list=contact_list, file_name="a.csv", path=str(path), size=len(CSV))
    contact_list.delete()
    assert not path.exists() and not ImportJob.objects.exists()


def test_the_sweep_resends_lost_jobs_and_removes_stray_uploads(settings, tmp_path, monkeypatch):
    import os
    from datetime import timedelta

    from django.utils import timezone

    from contacts import tasks
    from contacts.models import ContactList

    settings.VAR_DIR = tmp_path
    folder = tmp_path / "imports"
    folder.mkdir()
    old = (timezone.now() - timedelta(hours=2)).timestamp()
    pending, stray, fresh = folder / "upload-pending.csv", folder / "upload-stray.csv", folder / "upload-fresh.csv"
    for path in (pending, stray, fresh):
        path.write_bytes(CSV)
    for path in (pending, stray):
        os.utime(path, (old, old))
    contact_list = ContactList.objects.create(name="Aleppo")
    lost = ImportJob.objects.create(contact_list=contact_list, file_name="a.csv", path=str(pending), size=1)
    ImportJob.objects.filter(pk=lost.pk).update(created=timezone.now() - timedelta(minutes=30))
    sent = []
    monkeypatch.setattr(tasks.run_import, "delay", sent.append)

    assert tasks.sweep_imports() == {"resent": 1, "removed": 1}
    assert sent == [lost.pk]
    assert pending.exists() and fresh.exists() and not stray.exists()
