"""`manage.py bench signatures`: end to end, briefly (gunicorn, a Celery worker and wrk for a
few seconds with a few users, on PostgreSQL and Redis: skipped without them or without wrk,
failed under CI=true), and how it counts what it finds in the database."""

import io
import json
import shutil

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from asks.models import Ask, Response
from contacts import crypto
from contacts.limits import FloodCounter
from devtools.benchmarks import signatures
from tests.asks.public import answer, make_ask
from tests.services import need_postgres, unavailable

KEYS = {"signatures_per_s", "p50_ms", "p99_ms", "lost", "errors"}


@pytest.fixture
def brief(monkeypatch, settings, redis_service):
    need_postgres()
    if shutil.which("wrk") is None:
        unavailable("needs wrk, the load generator of bench signatures: apt-get install wrk")
    settings.REDIS_URL = redis_service  # what the benchmark hands its web server and worker
    for name, value in {
        "HAMLA_BENCH_SECONDS": "4",
        "HAMLA_BENCH_USERS": "4",
        "HAMLA_BENCH_PACE": "0.05",
        "HAMLA_BENCH_DRAIN_SECONDS": "60",
    }.items():
        monkeypatch.setenv(name, value)


@pytest.mark.waits
@pytest.mark.postgres
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_brief_run_prints_its_figures_loses_no_signature_and_leaves_nothing_behind(brief):
    out = io.StringIO()
    call_command("bench", "signatures", "--json", stdout=out)
    figures = json.loads(out.getvalue())
    assert {
        "keys": KEYS <= figures.keys(),
        "signed": figures["accepted"] > 0,
        "lost": figures["lost"],
        "errors": figures["errors"],
        # Submissions wrk sent as the run stopped are stored and mailed, never answered.
        "mailed": figures["mails"] >= figures["accepted"],
        "left": (Ask.objects.count(), FloodCounter.objects.count()),
    } == {
        "keys": True,
        "signed": True,
        "lost": 0,
        "errors": 0,
        "mailed": True,
        "left": (0, 0),
    }


@pytest.mark.django_db
def test_lost_counts_the_submissions_answered_with_success_whose_response_is_not_stored():
    ask = make_ask()
    records = []
    for n in range(3):
        email = signatures._email("unit", 0, n)
        posted = answer(ask, email=email, REMOTE_ADDR=f"198.18.0.{n + 1}")
        records.append((0, n, posted.status_code))
    records += [(1, 0, 0), (1, 1, 403)]  # one never answered, one refused: neither is accepted
    Response.objects.filter(ask=ask, email_hash=crypto.blind_index(signatures._email("unit", 0, 1), "email")).delete()
    counts = signatures._count(records, ask, "unit")
    assert (counts["accepted"], counts["rejected"], counts["lost"]) == (3, 1, 1)


def test_without_wrk_the_benchmark_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(CommandError, match="apt-get install wrk"):
        call_command("bench", "signatures")
