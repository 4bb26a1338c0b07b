"""Nothing left in the browser: on every URL of the policy walk, for every role, the answer
carries a strict Content-Security-Policy, a Permissions-Policy and `Referrer-Policy:
same-origin` (no Referer leaves for another site; "no-referrer" would make browsers send
`Origin: null` with form POSTs, which CSRF protection refuses), and whatever may hold
supporters' data (every staff page, every login-protected URL, the token pages, file
downloads) says `Cache-Control: no-store, private`."""

import pytest
from django.db import transaction
from django.urls import reverse

from .test_url_policy import ROUTES, client_for
from .world import plant

STRICT_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}
# The newsletter preview is shown in a sandboxed frame of the message page: its own policy
# (set by the view) sandboxes it, allows nothing to load and only the email's inline styles.
PREVIEW_CSP = {"sandbox": "", "default-src": "'none'", "style-src": "'unsafe-inline'"}
DENIED_FEATURES = ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The policy walk's planted world, built once and rolled back at the module's end."""
    var_dir = tmp_path_factory.mktemp("headers-var")
    with django_db_blocker.unblock(), transaction.atomic():
        world = plant()
        world.var_dir = var_dir
        yield world
        transaction.set_rollback(True)


def directives(header):
    parts = (part.strip().split(None, 1) for part in header.split(";") if part.strip())
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


def may_be_cached(route, role):
    """Only a login-free page without a token in its URL, opened by a stranger."""
    return route.name.startswith("public:") and "token" not in route.params and role == "anonymous"


def get(world, route, role, settings):
    settings.VAR_DIR = world.var_dir
    world.write_files()
    return client_for(world, role).get(reverse(route.name, kwargs=world.kwargs(route.name, route.params)))


@pytest.mark.django_db
@pytest.mark.parametrize("role", ("anonymous", "volunteer", "organizer", "admin"))
@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_every_url_answers_every_role_with_csp_permissions_and_referrer_policies(world, route, role, settings):
    response = get(world, route, role, settings)
    policy = directives(response.get("Content-Security-Policy", ""))
    wanted = PREVIEW_CSP if route.name == "messaging:preview" and response.status_code == 200 else STRICT_CSP
    features = response.get("Permissions-Policy", "")
    assert (
        {key: policy.get(key) for key in wanted},
        [feature for feature in DENIED_FEATURES if feature not in features],
        response.get("Referrer-Policy"),
    ) == (wanted, [], "same-origin")


NEVER_STORED = [
    pytest.param(route, role, id=f"{route}-{role}")
    for route in ROUTES
    for role in ("anonymous", "volunteer", "organizer", "admin")
    if not may_be_cached(route, role)
]


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "role"), NEVER_STORED)
def test_staff_pages_token_pages_and_downloads_are_never_stored(world, route, role, settings):
    response = get(world, route, role, settings)
    assert response.get("Cache-Control") == "no-store, private", f"{role} GET {route}"


@pytest.mark.django_db
def test_the_admin_export_download_is_never_stored(world, settings):
    client = client_for(world, "admin")
    response = client.post(reverse("contacts:export"), {"contact_list": world.objects["contact_list"].pk})
    b"".join(response.streaming_content)
    assert (response.status_code, response.get("Cache-Control")) == (200, "no-store, private")


@pytest.mark.django_db
def test_an_error_page_carries_the_same_headers(world):
    response = client_for(world, "anonymous").get("/no-such-page/")
    assert (
        response.status_code,
        directives(response.get("Content-Security-Policy", "")).get("script-src"),
        "camera=()" in response.get("Permissions-Policy", ""),
        response.get("Referrer-Policy"),
        response.get("Cache-Control"),
    ) == (404, "'self'", True, "same-origin", "no-store, private")
