from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_KEY = "hamla:worker-heartbeat"


@shared_task
def heartbeat():
    """Periodic demo task: proves beat schedules and a worker runs (shown to staff on /healthz)."""
    cache.set(HEARTBEAT_KEY, timezone.now().isoformat(), timeout=None)
    return True
