"""Logins and failed logins reach Hamla's audit log; staff addresses and browsers are not kept
beyond the lockout window."""

from collections import Counter
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.db import connection
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.roles import VOLUNTEER
from accounts.tasks import purge_login_attempts
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ADDRESS = "198.51.100.73"
BROWSER = "PlantedBrowser/7.3 (staff laptop)"
PASTED = "pasted-Secret-Passw0rd"


def attempt(client, username, password):
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=BROWSER
    )


def audit_rows():
    return list(AuditEvent.objects.order_by("id").values("actor_id", "action", "object_type", "object_id", "detail"))


def test_a_login_is_audited_as_the_user(client):
    user = make_user(VOLUNTEER)
    attempt(client, user.username, PASSWORD)
    account = {"object_type": "auth.user", "object_id": str(user.pk), "detail": {}}
    assert audit_rows() == [{"actor_id": user.pk, "action": "user.login", **account}]


def test_a_failed_login_names_the_account_and_nothing_typed(client):
    user = make_user(VOLUNTEER)
    attempt(client, user.username, PASSWORD + "x")
    account = {"object_type": "auth.user", "object_id": str(user.pk), "detail": {}}
    assert audit_rows() == [{"actor_id": None, "action": "user.login_failed", **account}]


def test_a_failed_login_with_an_unknown_username_records_only_that_it_was_unknown(client):
    attempt(client, PASTED, PASSWORD)
    assert audit_rows() == [
        {
            "actor_id": None,
            "action": "user.login_failed",
            "object_type": "",
            "object_id": "",
            "detail": {"reason": "unknown_username"},
        }
    ]


def test_a_lockout_is_audited_against_the_account(client, settings):
    user = make_user(VOLUNTEER)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, user.username, "wrong")
    assert AuditEvent.objects.filter(action="user.locked_out", object_id=str(user.pk)).exists()


def logical_dump():
    if connection.vendor == "sqlite":
        return "\n".join(connection.connection.iterdump())
    from tests.contacts.test_database_dump import database_bytes

    return database_bytes().decode("utf-8", "replace")


@pytest.mark.django_db(transaction=True)  # committed, so that pg_dump sees what the web saw
def test_after_the_lockout_window_no_address_browser_or_typed_text_is_left(client):
    user = make_user(VOLUNTEER)
    attempt(client, user.username, "wrong")
    attempt(client, PASTED, "wrong")
    attempt(client, user.username, PASSWORD)
    # While the lock can still apply the address is needed, the browser never is.
    assert not AccessAttempt.objects.exclude(user_agent="").exists()
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(hours=1, minutes=1))
    purge_login_attempts()
    dump = logical_dump()
    leaks = [planted for planted in (ADDRESS, BROWSER, "PlantedBrowser", PASTED) if planted in dump]
    assert (leaks, AccessAttempt.objects.count(), AccessLog.objects.count(), AccessFailureLog.objects.count()) == (
        [],
        0,
        0,
        0,
    )


def test_beat_runs_the_purge_within_the_lockout_window(settings):
    entries = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert entries.get(purge_login_attempts.name, float("inf")) <= 3600


def test_hammering_a_locked_login_adds_no_rows(client, settings):
    user = make_user(VOLUNTEER)
    for _ in range(settings.AXES_FAILURE_LIMIT + 20):
        attempt(client, user.username, "wrong")
    actions = Counter(row["action"] for row in audit_rows())
    assert actions == {"user.login_failed": settings.AXES_FAILURE_LIMIT, "user.locked_out": 1}
