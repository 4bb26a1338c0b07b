"""/healthz tells a stranger only ok or not ok; staff past their second factor see which
part is down; it never answers 500, not even with Redis down."""

import json

import pytest
from django.test import Client

from accounts.roles import ADMIN, ORGANIZER, VOLUNTEER
from tests.factories import logged_in, make_user

pytestmark = pytest.mark.django_db

CLOSED_PORT = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def health(client=None):
    response = (client or Client(raise_request_exception=False)).get("/healthz")
    return response.status_code, json.loads(response.content)


@pytest.fixture
def broker_down(settings):
    """The broker on a Redis that does not answer (its URL and its transport, as production
    sets them), whatever broker this run uses."""
    settings.CELERY_BROKER_URL = CLOSED_PORT
    settings.CELERY_BROKER_TRANSPORT = "core.celery_redis:Transport"


@pytest.fixture
def redis_down(settings, broker_down):
    """Broker and cache on a Redis that does not answer, as in production when Redis dies."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CLOSED_PORT}}


def test_a_stranger_learns_only_that_hamla_is_ok():
    assert health() == (200, {"status": "ok"})


@pytest.mark.usefixtures("broker_down")
def test_a_stranger_learns_only_that_hamla_is_not_ok_when_the_broker_is_unreachable():
    assert health() == (503, {"status": "error"})


def test_redis_down_is_a_503_not_a_500_for_strangers(redis_down):
    assert health() == (503, {"status": "error"})


@pytest.mark.parametrize("role", [ORGANIZER, ADMIN])
def test_staff_past_their_second_factor_see_each_part(role):
    status, body = health(logged_in(make_user(role)))
    assert status == 200, body
    assert (body["status"], body["database"], body["broker"]) == ("ok", "ok", "ok")
    assert "worker_heartbeat" in body


def test_staff_see_which_part_is_down_when_redis_is_down(redis_down):
    client = logged_in(make_user(ORGANIZER))
    client.raise_request_exception = False
    status, body = health(client)
    assert status == 503
    assert (body["status"], body["database"]) == ("error", "ok")
    assert body["broker"].startswith("error: ") and body["worker_heartbeat"].startswith("error: ")


def test_a_volunteer_and_an_organizer_without_their_second_factor_learn_no_more_than_a_stranger():
    volunteer = logged_in(make_user(VOLUNTEER))
    organizer = Client()
    organizer.force_login(
        make_user(ORGANIZER, username="password-only"), backend="django.contrib.auth.backends.ModelBackend"
    )
    assert health(volunteer) == health(organizer) == (200, {"status": "ok"})
