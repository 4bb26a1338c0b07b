from contextlib import contextmanager
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.files import atomic_open
from core.scrub import scrub

from .importing import ImportFailed, import_file, inspect
from .models import ImportJob


def error_report_path(job):
    return settings.VAR_DIR / "imports" / f"job-{job.pk}-errors.csv"


@shared_task(bind=True, acks_late=True, max_retries=5)
def run_import(self, job_id):
    """Run (or resume after a crash) one ImportJob. Safe to deliver twice: a finished
    job is not claimed again, and a resumed one continues after its checkpoint. A lost
    database connection retries (resuming); any other error fails the job visibly
    rather than leaving it "running" forever."""
    job = ImportJob.objects.select_related("contact_list", "created_by").filter(pk=job_id).first()
    if job is None:
        return False
    with exclusive(job) as mine:
        if not mine:
            return False
        job.refresh_from_db()  # the checkpoint a previous holder committed before it let go
        if not job.claim():
            return False
        return _guarded_run(self, job)


# Namespace of the PostgreSQL advisory locks taken on import jobs (the first key).
IMPORT_LOCK = 0x4A4D  # "JM"


@contextmanager
def exclusive(job):
    """Whether this process may run `job`: on PostgreSQL, a session advisory lock on it.
    A second delivery of the task while the first still runs (Redis redelivers after
    its visibility timeout) finds the lock taken and leaves the job alone. The lock dies
    with its connection, so the job of a worker that crashed can be resumed at once.
    Elsewhere (SQLite, development) there is no such lock."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [IMPORT_LOCK, job.pk])
        mine = cursor.fetchone()[0]
    try:
        yield mine
    finally:
        if mine and connection.is_usable():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [IMPORT_LOCK, job.pk])


def _guarded_run(task, job):
    try:
        with translation.override(job.language):
            return _run(job)
    except (OperationalError, InterfaceError) as exc:
        if task.request.retries < task.max_retries:
            raise task.retry(exc=exc, countdown=2 ** (task.request.retries + 1))
        with translation.override(job.language):
            _fail(job, _("The database was unavailable; the import stopped. Rows already imported were kept."))
        raise
    except Exception:
        with translation.override(job.language):
            _fail(job, _("The import stopped because of an internal error. Rows already imported were kept."))
        raise


def _fail(job, message):
    from accounts.models import audit

    # The message may quote the file (a CSV error names what it could not read).
    failure = scrub(message)
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.FAILED, failure=failure, finished=timezone.now())
    audit(job.created_by, "contacts.import_failed", job.contact_list, job=job.pk)
    _discard_upload(job)


def _run(job):
    from accounts.models import audit

    try:
        # The columns as the organizer mapped them on the import page, if they did.
        plan = inspect(job.path, job.encoding, mapping=job.mapping or None)
        result = import_file(
            job.path,
            job.contact_list,
            actor=job.created_by,
            encoding=job.encoding,
            file_name=job.file_name,
            job=job,
            plan=plan,
        )
    except ImportFailed as exc:
        _fail(job, str(exc))
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
    """Line numbers, codes and reasons only (scrubbed all the same): the report holds no
    personal data, so erasing a contact has nothing to take out of it. Owner-only."""
    import csv

    path = error_report_path(job)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_open(path, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["line", "reason", "code"])
        for error in errors:
            writer.writerow([error["line"], scrub(error["reason"]), getattr(error["reason"], "code", "")])


def _discard_upload(job):
    # The uploaded file holds supporters' data in clear: it must not outlive the import.
    from pathlib import Path

    Path(job.path).unlink(missing_ok=True)


# A job still queued after this long lost its task (the broker was down when the
# upload was committed, say); an upload this old that no pending job uses is litter.
LOST_AFTER = timedelta(minutes=10)
LITTER_AFTER = timedelta(hours=1)


@shared_task
def sweep_imports():
    """Periodic (beat): send again the jobs whose task was lost (safe: a job runs once,
    see run_import) and delete uploaded files no pending job will read."""
    now = timezone.now()
    lost = ImportJob.objects.filter(state=ImportJob.State.QUEUED, created__lt=now - LOST_AFTER)
    resent = 0
    for pk in lost.values_list("pk", flat=True):
        run_import.delay(pk)
        resent += 1
    pending = set(
        ImportJob.objects.filter(state__in=[ImportJob.State.QUEUED, ImportJob.State.RUNNING]).values_list(
            "path", flat=True
        )
    )
    removed = 0
    folder = settings.VAR_DIR / "imports"
    cutoff = (now - LITTER_AFTER).timestamp()
    for path in folder.glob("upload-*") if folder.is_dir() else []:
        if str(path) not in pending and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return {"resent": resent, "removed": removed}


@shared_task
def purge_unconfirmed_signups():
    """Periodic (beat): erase signups nobody confirmed within the life of their link, and
    forget ended flood counts (contacts/signup.py). Safe to retry or to run twice at once."""
    from .signup import purge_unconfirmed

    return {"erased": purge_unconfirmed()}
