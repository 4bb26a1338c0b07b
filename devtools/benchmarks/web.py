"""`manage.py bench web`: response times of the campaign list and the history page
with 1,000 campaigns and 20,000 actions.

The data is created inside a transaction that is rolled back at the end, so the
benchmark leaves the database as it found it.
"""

import datetime
import os
import statistics
import time

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils.crypto import get_random_string

from campaigns.models import Action, Campaign
from campaigns.report import render_history_report
from devtools.clients import throwaway_organizer, verified_client

CAMPAIGNS = 1_000
ACTIONS_EACH = 20
REQUESTS = 30
PAGES = {
    "campaign_list": "/campaigns/",
    "campaign_list_filtered": "/campaigns/?kind=cleanup&year=2015",
    "history": "/campaigns/history/",
    "history_year": "/campaigns/history/?year=2015",
    "history_filtered_page_3": "/campaigns/history/?kind=meeting&page=3",
}


def make_history(campaigns, actions_each, start_year=2011, tag=None):
    """Bulk campaigns spread over 15 years, each with `actions_each` actions (also used by tests)."""
    tag = tag or get_random_string(6).lower()
    kinds = list(Campaign.Kind)
    action_kinds = list(Action.Kind)
    cities = ["حلب", "إدلب", "غازي عنتاب", "Gaziantep"]
    made = Campaign.objects.bulk_create(
        Campaign(
            title_ar=f"حملة {i}",
            title_en=f"Campaign {i}",
            slug=f"bench-{tag}-{i}",
            kind=kinds[i % len(kinds)],
            status=Campaign.Status.COMPLETED,
            start_date=datetime.date(start_year + i % 15, 1 + i % 12, 1 + i % 28),
            city=cities[i % len(cities)],
            goal_participants=100,
        )
        for i in range(campaigns)
    )
    Action.objects.bulk_create(
        (
            Action(
                campaign=c,
                kind=action_kinds[(i + j) % len(action_kinds)],
                date=c.start_date + datetime.timedelta(days=j * 3),
                city=c.city,
                description_ar=f"نشاط {j}",
                description_en=f"Action {j}",
                participants=10 + j,
            )
            for i, c in enumerate(made)
            for j in range(actions_each)
        ),
        batch_size=2000,
    )
    return made


def _organizer_client():
    return verified_client(throwaway_organizer())


class _Rollback(Exception):
    pass


def _percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def run(options):
    results = {}
    try:
        with transaction.atomic():
            started = time.perf_counter()
            make_history(CAMPAIGNS, ACTIONS_EACH)
            results["setup_seconds"] = round(time.perf_counter() - started, 2)
            if connection.vendor == "postgresql":
                # A live database has autovacuum's statistics; freshly bulk-loaded rows do not.
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE campaigns_campaign")
                    cursor.execute("ANALYZE campaigns_action")
            results["campaigns"] = Campaign.objects.count()
            results["actions"] = Action.objects.count()
            client = _organizer_client()
            for name, url in PAGES.items():
                client.get(url)  # warm caches and templates
                timings, cpu = [], []
                for _ in range(REQUESTS):
                    with CaptureQueriesContext(connection) as queries:
                        t0, c0 = time.perf_counter(), time.process_time()
                        response = client.get(url)
                        timings.append((time.perf_counter() - t0) * 1000)
                        cpu.append((time.process_time() - c0) * 1000)
                    if response.status_code != 200:
                        raise RuntimeError(f"{url} answered {response.status_code}")
                results[name] = {
                    "url": url,
                    "median_ms": round(statistics.median(timings), 1),
                    "p95_ms": round(_percentile(timings, 0.95), 1),
                    # CPU time of this process: what the page costs when other work shares the cores.
                    "cpu_median_ms": round(statistics.median(cpu), 1),
                    "queries": len(queries),
                }
            for label, year in (("report_one_year_pdf", 2015), ("report_all_years_pdf", None)):
                t0, c0 = time.perf_counter(), time.process_time()
                pdf = render_history_report(year=year, language="ar")
                results[label] = {
                    "seconds": round(time.perf_counter() - t0, 2),
                    "cpu_seconds": round(time.process_time() - c0, 2),
                    "kib": len(pdf) // 1024,
                }
            raise _Rollback
    except _Rollback:
        pass
    results["database"] = connection.vendor
    results["requests_per_page"] = REQUESTS
    results["load_average_1min"] = round(os.getloadavg()[0], 2)
    return results
