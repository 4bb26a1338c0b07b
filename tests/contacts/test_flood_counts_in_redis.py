"""Flood limits counted in Redis when the project has one (contacts/limits.py): the same
window as in the database, one round trip, and the database when Redis is gone."""

import uuid

import pytest
from django.db import connection

from contacts import limits
from contacts.limits import FloodCounter

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_redis(settings, redis_service):
    settings.FLOOD_COUNTS_URL = redis_service
    return redis_service


def hits(what, times, limit=3, window=60):
    return [limits.hit(what, limit, window) for _ in range(times)]


def test_hits_within_the_limit_pass_and_the_next_is_refused(in_redis):
    assert hits(f"ip:{uuid.uuid4()}", 4) == [True, True, True, False]


def test_the_counts_are_in_redis_not_in_the_database(in_redis):
    hits(f"ip:{uuid.uuid4()}", 2)
    assert FloodCounter.objects.count() == 0


def test_the_window_ends_when_the_first_hit_said_and_later_hits_do_not_move_it(in_redis):
    import redis

    what = f"ip:{uuid.uuid4()}"
    hits(what, 1, window=100)
    client, name = redis.Redis.from_url(in_redis), f"hamla:flood:{limits.key_for(what)}"
    client.expire(name, 5)  # as if 95 of its 100 seconds had passed
    hits(what, 1, window=100)
    assert 0 < client.ttl(name) <= 5


def test_the_key_names_no_client_address(in_redis):
    import redis

    hits("ip:203.0.113.77", 1)
    client = redis.Redis.from_url(in_redis)
    assert not [key for key in client.scan_iter(match="*203.0.113.77*")]


def test_with_redis_unreachable_the_database_counts_and_still_refuses(settings):
    settings.FLOOD_COUNTS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    assert (hits("ip:198.51.100.5", 4), FloodCounter.objects.count()) == ([True, True, True, False], 1)


def test_the_database_fallback_is_one_statement_per_hit(settings, django_assert_num_queries):
    settings.FLOOD_COUNTS_URL = ""
    with django_assert_num_queries(1, connection=connection):
        limits.hit("ip:198.51.100.6", 3, 60)
