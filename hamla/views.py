from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse

from .celery import app as celery_app
from .tasks import HEARTBEAT_KEY


def healthz(request):
    """Database and broker reachability, as JSON; 503 when either is down."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        checks["database"] = f"error: {exc.__class__.__name__}"
    try:
        with celery_app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        checks["broker"] = "ok"
    except Exception as exc:  # noqa: BLE001
        checks["broker"] = f"error: {exc.__class__.__name__}"
    checks["worker_heartbeat"] = cache.get(HEARTBEAT_KEY)
    healthy = checks["database"] == "ok" and checks["broker"] == "ok"
    checks["status"] = "ok" if healthy else "error"
    return JsonResponse(checks, status=200 if healthy else 503)
