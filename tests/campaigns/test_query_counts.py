"""The list and history pages must not grow their query count with the data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import logged_in, make_user

from .helpers import make_many

pytestmark = pytest.mark.django_db

PAGES = [
    "/campaigns/",
    "/campaigns/?kind=demonstration&year=2011",
    "/campaigns/history/",
    "/campaigns/history/?year=2013&kind=meeting",
    "/campaigns/history/?page=2",
]


def query_counts(client):
    counts = {}
    for url in PAGES:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts[url] = len(queries)
    return counts


def test_list_and_history_use_the_same_number_of_queries_at_two_sizes():
    client = logged_in(make_user())
    make_many(campaigns=5, actions_each=2)
    small = query_counts(client)
    make_many(campaigns=60, actions_each=15)
    large = query_counts(client)
    assert small == large
    assert max(large.values()) <= 12


def test_the_history_page_renders_a_page_of_actions_not_all_of_them():
    client = logged_in(make_user())
    make_many(campaigns=20, actions_each=10)
    body = client.get("/campaigns/history/").content.decode()
    assert body.count('class="action"') == 50
