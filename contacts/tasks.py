from celery import shared_task
from django.conf import settings
from django.utils import timezone, translation

from .importer import ImportFailed, import_file
from .models import ImportJob


def error_report_path(job):
    return settings.VAR_DIR / "imports" / f"job-{job.pk}-errors.csv"


@shared_task(acks_late=True)
def run_import(job_id):
    """Run (or resume after a crash) one ImportJob. Safe to deliver twice: a finished
    job is not claimed again, and a resumed one continues after its checkpoint."""
    job = ImportJob.objects.select_related("contact_list", "created_by").filter(pk=job_id).first()
    if job is None or not job.claim():
        return False
    with translation.override(job.language):
        return _run(job)


def _run(job):
    from accounts.models import audit

    try:
        result = import_file(
            job.path,
            job.contact_list,
            actor=job.created_by,
            encoding=job.encoding,
            file_name=job.file_name,
            job=job,
        )
    except ImportFailed as exc:
        ImportJob.objects.filter(pk=job.pk).update(
            state=ImportJob.State.FAILED, failure=str(exc), finished=timezone.now()
        )
        audit(job.created_by, "contacts.import_failed", job.contact_list, job=job.pk)
        _discard_upload(job)
        return False
    write_error_report(job, result.errors)
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.DONE, bytes_done=job.size, finished=timezone.now())
    audit(
        job.created_by,
        "contacts.import",
        job.contact_list,
        job=job.pk,
        created=result.created,
        updated=result.updated,
        skipped=result.skipped,
        errors=result.error_count,
    )
    _discard_upload(job)
    return True


def write_error_report(job, errors):
    """Line numbers and reasons only: the report holds no personal data."""
    import csv

    path = error_report_path(job)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["line", "reason"])
        for error in errors:
            writer.writerow([error["line"], error["reason"]])


def _discard_upload(job):
    # The uploaded file holds supporters' data in clear: it must not outlive the import.
    from pathlib import Path

    Path(job.path).unlink(missing_ok=True)
