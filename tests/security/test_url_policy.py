"""Every URL the resolver knows, for every role: the status the policy table says, and no
planted supporter data on any page a volunteer or an anonymous visitor can open.

The URLs come from `django.urls.get_resolver()`, not from a list: a new URL fails here
until it has a row in tests/security/policy.py.
"""

from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .policy import EXCLUDED_NAMESPACES, POLICY, ROLES, expected
from .world import plant

# Roles that must never see a supporter's data.
UNTRUSTED = ("anonymous", "volunteer")


@dataclass(frozen=True)
class Route:
    name: str | None  # full name with namespaces, e.g. "contacts:list"; None for an unnamed pattern
    route: str  # the pattern as written, e.g. "contacts/<int:pk>/"
    params: tuple  # its argument names

    def __str__(self):
        return f"{self.name or '(unnamed)'} /{self.route}"


def walk(resolver=None, prefix="", namespace=""):
    """Every URL pattern under `resolver`, through includes, with its full namespaced name."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, (namespace, entry.namespace)))
            if entry.namespace in EXCLUDED_NAMESPACES:
                continue
            yield from walk(entry, route, inner)
        elif isinstance(entry, URLPattern):
            name = entry.name and ":".join(filter(None, (namespace, entry.name)))
            yield Route(name, route, tuple(entry.pattern.regex.groupindex))


ROUTES = sorted(set(walk()), key=str)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The planted world, built once for the module inside a transaction that is rolled back
    at its end (each test's own changes are rolled back after the test, as usual)."""
    var_dir = tmp_path_factory.mktemp("policy-var")
    with django_db_blocker.unblock(), transaction.atomic():
        world = plant()
        world.var_dir = var_dir
        yield world
        transaction.set_rollback(True)


def client_for(world, role):
    client = Client()
    if role != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    return client


def body_of(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    # PDFs and images compress their text; this reads what is readable (HTML, JSON, CSV, mail).
    return content.decode("utf-8", errors="replace")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_each_url_answers_each_role_as_the_policy_says(world, route, role, settings):
    assert route.name, f"/{route.route} has no name: name it, so the policy table can cover it"
    status = expected(route.name, role)
    assert status is not None, f"{route.name} is not in tests/security/policy.py: add its row"
    settings.VAR_DIR = world.var_dir
    world.write_files()
    try:
        kwargs = world.kwargs(route.name, route.params)
    except KeyError as missing:
        pytest.fail(f"{route}: tests/security/world.py cannot fill argument {missing}: teach it")
    url = reverse(route.name, kwargs=kwargs)

    response = client_for(world, role).get(url)

    if role in UNTRUSTED:
        location = response.get("Location", "")
        assert not world.leaks(location), f"{role} redirected from {url} to a URL with supporter data"
        if 200 <= response.status_code < 300:
            assert not world.leaks(body_of(response)), f"{role} sees supporter data at {url}"
    assert response.status_code == status, f"{role} GET {url}: {response.status_code}, the policy says {status}"


def test_the_policy_table_names_no_url_that_is_gone():
    names = {route.name for route in ROUTES}
    stale = [name for name in POLICY if not name.endswith(":*") and name not in names]
    assert not stale, f"remove these rows from tests/security/policy.py (no such URL): {stale}"


@pytest.mark.django_db
def test_the_probe_finds_every_planted_string_on_the_supporters_own_page(world, settings):
    """So the test above cannot pass by looking wrongly (a decoding, a changed format).
    An admin's view: organizers see the email and phone masked until they reveal them."""
    settings.VAR_DIR = world.var_dir
    url = reverse("contacts:detail", args=[world.objects["contact"].pk])
    found = world.leaks(body_of(client_for(world, "admin").get(url)))
    assert sorted(found) == sorted(value for key, value in world.planted.items() if key != "marker")
