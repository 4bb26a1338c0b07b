"""The Celery application; configuration comes from Django settings (CELERY_*).

Nothing a worker's main process opened is used by the processes it forks: the prefork
pool's children (also those forked later to replace a dead one) and an embedded beat
close every inherited Django database connection and cache client before their first
task. Celery's Django fixup does this too; doing it here does not depend on the fixup
being installed, and also covers the caches' Redis clients. SQLite says why it matters:
a connection carried across fork() shares lock state the kernel does not share, which
is how database files get corrupted (https://sqlite.org/howtocorrupt.html, 2.6).
"""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hamla.settings")

app = Celery("hamla")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The parent's connections, kept (never closed nor used) for this process's lifetime:
# freeing one would close it, and closing an inherited SQLite connection can checkpoint
# or delete the write-ahead log the parent is still using.
_inherited = []


def forget_inherited_connections(**_kwargs):
    """In a freshly forked process: drop the parent's database connections and cache clients.

    A connection open in the parent is set aside, neither used nor closed: its socket or
    file (and, for SQLite, its lock state) is the parent's. The next query here opens a
    connection of this process's own.
    """
    from django.core.cache import caches
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        if conn.connection is not None:
            _inherited.append(conn.connection)
            conn.connection = None
        conn.close()
    for cache in caches.all(initialized_only=True):
        cache.close()


signals.worker_process_init.connect(forget_inherited_connections, weak=False, dispatch_uid="hamla.forget_inherited")
signals.beat_embedded_init.connect(forget_inherited_connections, weak=False, dispatch_uid="hamla.forget_inherited_b")


def resume_orphaned_imports(**_kwargs):
    """On the folder broker (the embedded default), a worker starting resends the imports
    left "running": that broker deletes a task's file when a worker takes it, so the task of
    a worker that was killed is gone (Redis gives it back after its visibility timeout), and
    the import sweep resends only jobs still queued. The embedded default runs one worker,
    so a job running when it starts lost its worker; the job resumes from its checkpoint."""
    if not str(app.conf.broker_url or "").startswith("filesystem"):
        return
    from django.db import connection

    from contacts.models import ImportJob
    from contacts.tasks import run_import

    try:
        for pk in ImportJob.objects.filter(state=ImportJob.State.RUNNING).values_list("pk", flat=True):
            run_import.delay(pk)
    finally:
        connection.close()  # the pool forks again from this process: nothing open across it


signals.worker_ready.connect(resume_orphaned_imports, weak=False, dispatch_uid="hamla.resume_orphaned_imports")
