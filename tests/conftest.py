from collections import Counter

import pytest

# Session-wide: the test process's Redis and the Celery broker every worker test uses.
from tests.broker import broker, redis_service  # noqa: F401


@pytest.fixture(autouse=True)
def isolated_cache_and_outbox(settings, tmp_path):
    """Tests never share the developer's cache or outbox, nor one another's."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": str(tmp_path)}
    }
    settings.HAMLA_OUTBOX_DIR = tmp_path / "outbox"
    # Flood counts in the test database, rolled back with it (tests/contacts/test_flood_counts_in_redis.py
    # counts in Redis, with keys of its own).
    settings.FLOOD_COUNTS_URL = ""
    # Real hashing costs ~0.3 s per login; tests check roles, not key stretching.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def eager_tasks():
    """Tasks queued with .delay run in-process (the real task code), as a worker would."""
    from hamla.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def pytest_collection_modifyitems(items):
    """The order pytest-xdist hands out files in (`make test`, --dist loadfile): longest first,
    so no long file starts last and ends the run alone. Tests marked `waits` spend most of
    their time waiting on processes they started (a worker killed twenty times, services
    restarted) and go first, their waits overlapping with the rest; then files with the most
    tests (the URL-by-role walks), a stand-in for their length. The sort is stable, so every
    test process computes the same order."""
    sizes = Counter(item.nodeid.split("::")[0] for item in items)
    items.sort(key=lambda item: (item.get_closest_marker("waits") is None, -sizes[item.nodeid.split("::")[0]]))
