import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from accounts.roles import is_organizer
from messaging import leases

from .celery import app as celery_app
from .tasks import HEARTBEAT_KEY

log = logging.getLogger(__name__)


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _broker():
    # The broker as the workers reach it: its URL *and* its transport (hamla/settings.py picks
    # a transport class per broker: a URL alone would be read with the app's class).
    transport = getattr(settings, "CELERY_BROKER_TRANSPORT", None)
    with celery_app.connection_for_write(settings.CELERY_BROKER_URL, transport=transport) as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


def _check(probe):
    """ "ok", or "error: <exception class>" — never the exception's text (it can name hosts)."""
    try:
        probe()
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        return f"error: {exc.__class__.__name__}"
    return "ok"


def _heartbeat():
    try:
        return cache.get(HEARTBEAT_KEY)
    except Exception as exc:  # noqa: BLE001 - the cache is Redis too: down is not a 500
        return f"error: {exc.__class__.__name__}"


def _workers():
    """Live worker instances (a lease renewed within HAMLA_LEASE_SECONDS): count and node names."""
    try:
        nodes = [worker["node"] for worker in leases.live()]
    except Exception as exc:  # noqa: BLE001 - the database being down is reported above
        return f"error: {exc.__class__.__name__}"
    return {"count": len(nodes), "nodes": nodes}


def _may_see_details(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    verified = getattr(user, "is_verified", None)
    return is_organizer(user) and bool(verified and verified())


@never_cache
def healthz(request):
    """Database and broker reachability: 200 {"status": "ok"} or 503 {"status": "error"}.
    Only staff who passed their second factor see which part failed, the worker's last
    heartbeat and the live workers (count and node names); a stranger learns nothing about
    how Hamla is built. Never a 500: whatever fails while checking makes the answer "error"."""
    try:
        checks = {"database": _check(_database), "broker": _check(_broker)}
        healthy = all(value == "ok" for value in checks.values())
        details = _may_see_details(request)
        if details:
            checks["worker_heartbeat"] = _heartbeat()
            checks["workers"] = _workers()
    except Exception:  # noqa: BLE001 - a health check must answer, not crash
        log.exception("health check failed")
        checks, healthy, details = {}, False, False
    body = {"status": "ok" if healthy else "error"}
    if details:
        body.update(checks)
    return JsonResponse(body, status=200 if healthy else 503)
