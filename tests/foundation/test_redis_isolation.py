"""The tests use the Redis the user named in REDIS_URL, or a private redis-server: never
whatever happens to run on 127.0.0.1:6379 (a developer's Redis holds someone's data)."""

import os
import socket
from urllib.parse import urlsplit

import pytest
import redis

from tests import services
from tests.services import need_tool, redis_for_tests


def unset(**extra):
    """This process's environment without REDIS_URL."""
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(extra)
    return env


def answers(url):
    try:
        return redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5).ping()
    except redis.RedisError:
        return False


def test_without_redis_url_the_tests_start_a_private_server_off_port_6379():
    need_tool("redis-server", "redis-server")
    with redis_for_tests(unset()) as url:
        parts = urlsplit(url)
        assert (parts.hostname, parts.path) == ("127.0.0.1", "/0")
        assert parts.port != 6379
        assert answers(url)
        # Memory only: nothing is written to a dump or an append-only file.
        config = redis.Redis.from_url(url)
        assert config.config_get("save")["save"] == "" and config.config_get("appendonly")["appendonly"] == "no"
    assert not answers(url)  # stopped with the context


def test_the_session_uses_redis_url_or_a_private_server(redis_service):
    named = os.environ.get("REDIS_URL")
    if named:
        assert redis_service == named
    else:
        assert urlsplit(redis_service).port != 6379


def test_a_named_redis_url_is_used_as_it_is():
    need_tool("redis-server", "redis-server")
    with redis_for_tests(unset()) as private, redis_for_tests(unset(REDIS_URL=private)) as url:
        assert url == private


def test_without_redis_url_or_redis_server_the_test_is_skipped_with_the_reason():
    with pytest.raises((pytest.skip.Exception, pytest.fail.Exception)) as refused:  # failed under CI=true
        with redis_for_tests(unset(PATH="/nonexistent")):
            pass
    assert "redis-server" in str(refused.value) and "REDIS_URL" in str(refused.value)


def test_a_port_taken_meanwhile_is_given_up_for_another(monkeypatch):
    need_tool("redis-server", "redis-server")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        ports = [taken.getsockname()[1]]
        free_port = services.free_port
        monkeypatch.setattr(services, "free_port", lambda: ports.pop() if ports else free_port())
        with redis_for_tests(unset()) as url:
            assert urlsplit(url).port != taken.getsockname()[1]
            assert answers(url)
