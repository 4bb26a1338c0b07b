"""`manage.py bench signatures` end to end, briefly: gunicorn, a Celery worker and locust
for a few seconds with a few users, on PostgreSQL and Redis (skipped without them, failed
under CI=true)."""

import io
import json

import pytest
from django.core.management import call_command

from asks.models import Ask
from contacts.limits import FloodCounter
from tests.services import need_postgres

pytestmark = [pytest.mark.waits, pytest.mark.postgres, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

KEYS = {"signatures_per_s", "p50_ms", "p99_ms", "lost", "errors"}


@pytest.fixture
def brief(monkeypatch, settings, redis_service):
    need_postgres()
    settings.REDIS_URL = redis_service  # what the benchmark hands its web server and worker
    for name, value in {
        "HAMLA_BENCH_SECONDS": "4",
        "HAMLA_BENCH_USERS": "4",
        "HAMLA_BENCH_PACE": "0.05",
        "HAMLA_BENCH_DRAIN_SECONDS": "60",
    }.items():
        monkeypatch.setenv(name, value)


def test_a_brief_run_prints_its_figures_loses_no_signature_and_leaves_nothing_behind(brief):
    out = io.StringIO()
    call_command("bench", "signatures", "--json", stdout=out)
    figures = json.loads(out.getvalue())
    assert {
        "keys": KEYS <= figures.keys(),
        "signed": figures["accepted"] > 0,
        "lost": figures["lost"],
        "errors": figures["errors"],
        "mailed": figures["mails"] == figures["accepted"],
        "left": (Ask.objects.count(), FloodCounter.objects.count()),
    } == {
        "keys": True,
        "signed": True,
        "lost": 0,
        "errors": 0,
        "mailed": True,
        "left": (0, 0),
    }
