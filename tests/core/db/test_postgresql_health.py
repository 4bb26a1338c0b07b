"""core.db.postgresql: a persistent connection the server dropped is replaced before the next
request uses it, and a live one is kept, without a round trip to ask (the socket says)."""

import time

import psycopg
import pytest
from django.db import close_old_connections, connection, connections

from tests.services import need_postgres

pytestmark = pytest.mark.django_db(transaction=True)


def backend_pid():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def terminate(pid):
    """pg_terminate_backend from a connection of its own, then wait until the socket of the
    terminated one has the server's last word."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    time.sleep(0.3)


@pytest.fixture
def persistent(settings):
    need_postgres()
    connection.settings_dict["CONN_MAX_AGE"] = 600
    connection.settings_dict["CONN_HEALTH_CHECKS"] = True
    close_old_connections()
    yield
    connection.close()


def test_the_backend_is_hamlas_own():
    need_postgres()
    assert type(connections["default"]).__module__ == "core.db.postgresql.base"


def test_a_connection_the_server_dropped_is_replaced_before_the_next_request_uses_it(persistent):
    first = backend_pid()
    terminate(first)
    close_old_connections()  # what request_started (and a Celery task's start) does
    assert backend_pid() != first


def test_a_live_connection_is_kept_for_the_next_request_without_asking_the_server(persistent, monkeypatch):
    asked = []
    wrapper = connections["default"]
    monkeypatch.setattr(wrapper, "is_usable", lambda: asked.append(1) or True)
    first = backend_pid()
    close_old_connections()
    assert (backend_pid(), asked) == (first, [])
