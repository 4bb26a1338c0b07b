"""kombu's folder ("filesystem") transport, returning to Celery's loop while its tasks run.

A worker on a transport kombu cannot wait on asynchronously (the folder broker of the
embedded default) runs Celery's blocking loop (celery.worker.loops.synloop): it performs
its pending operations — the acknowledgements of tasks that finished, with
CELERY_TASK_ACKS_LATE — and then calls `drain_events(timeout=2.0)`. Once the worker holds
its prefetch count of unacknowledged tasks, its channel may take no more, so that call
waits out the whole two seconds even when the tasks finished in milliseconds: their
acknowledgements wait for it to return. A worker of two processes took two tasks every two
seconds, whatever the backlog; after a killed worker, the sweeps' and restarts' queued
batches took minutes to drain (what failed
tests/foundation/test_embedded_default_survives_kills.py on a loaded CI machine).

Here a call that is given a timeout waits at most BUSY_WAIT while the worker holds all the
tasks it may (the loop comes round, acknowledges what finished and takes the next ones;
the folder is not read meanwhile, so it costs next to nothing), else at most one polling
interval (HAMLA_BROKER_POLL_SECONDS) — how often an idle worker lists the folder. A call
with no timeout blocks as before. Nothing else changes: same folders, same files.

Set as CELERY_BROKER_TRANSPORT for the embedded default (hamla/settings.py).
"""

from kombu.transport import filesystem

BUSY_WAIT = 0.02


class Transport(filesystem.Transport):
    def drain_events(self, connection, timeout=None):
        if timeout is not None:
            # Any channel: the tasks' one is full; the remote-control one never is.
            full = any(channel._consumers and not channel.qos.can_consume() for channel in self.channels)
            timeout = min(timeout, BUSY_WAIT if full else self.polling_interval or timeout)
        return super().drain_events(connection, timeout=timeout)
