"""What keeps a viral petition's POST fast (asks/responses.py): a few queries, no COUNT, no lock on
a shared row, no mail in the request; and the beat purge is scheduled."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .public import answer, english, make_ask, print_run_for

pytestmark = pytest.mark.django_db


def posted_sql():
    ask = make_ask()
    run = print_run_for(ask)
    client = english()
    answer(ask, client, email="earlier@example.org")  # this address's flood counter exists, as in a crowd
    with CaptureQueriesContext(connection) as captured:
        assert answer(ask, client, r=run.code, email="next@example.org").status_code == 302
    return [query["sql"] for query in captured.captured_queries]


def test_an_answer_is_a_handful_of_queries_with_no_count_and_no_lock_on_the_ask():
    sql = posted_sql()
    counts = [q for q in sql if "COUNT(" in q.upper()]
    ask_locks = [q for q in sql if "FOR UPDATE" in q.upper() and '"asks_' in q]
    assert (len(sql) <= 12, counts, ask_locks) == (True, [], [])


def test_an_answer_sends_no_mail_in_the_request(mailoutbox):
    # Stored (302) and yet no mail: the worker sends it once the transaction commits. A POST
    # refused before storing anything would send no mail either, so the status counts too.
    assert (answer(make_ask()).status_code, mailoutbox) == (302, [])


def test_the_purge_of_unconfirmed_responses_is_scheduled_by_beat(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "asks.tasks.purge_unconfirmed_responses" in tasks
