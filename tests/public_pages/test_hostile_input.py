"""Every login-free URL, for every kind of hostile input, answers as this table says: a 4xx
for what it refuses, a 2xx where the page rightly accepts the request anyway — never a 500.

The URLs come from the resolver (the `public` namespace, like tests/security/test_url_policy.py),
so a new public page is attacked as soon as it exists: a route with no row in ROUTE_KIND fails.
Each (kind of page, attack) pair has one expected status.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from asks import tokens as ask_tokens
from asks.models import Ask, Response
from contacts.models import Contact
from contacts.signup import make_token
from messaging import tokens
from tests.flyers.factories import make_campaign, make_flyer, make_run

MB = 1024 * 1024
WEBHOOK_SECRET = "hook:secret-for-tests"


@dataclass(frozen=True)
class Route:
    name: str
    params: tuple

    def __str__(self):
        return self.name


def walk(resolver=None, namespace=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry, ":".join(filter(None, (namespace, entry.namespace))))
        elif isinstance(entry, URLPattern) and namespace.split(":")[0] == "public":
            yield Route(":".join((namespace, entry.name or "")), tuple(entry.pattern.regex.groupindex))


ROUTES = sorted(set(walk()), key=str)


def kind_of(route):
    """The kind of page a route is, which decides its expected statuses."""
    if route.name.startswith("public:anymail:"):
        return "webhook"
    return route.name.removeprefix("public:")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The planted pages' objects, built once for all the module's cases inside a
    transaction rolled back at its end (each test's own changes roll back after it, as usual)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield plant()
        transaction.set_rollback(True)


def plant():
    campaign = make_campaign(slug="hostile")
    run = make_run(make_flyer(campaign))
    contact = Contact(status=Contact.Status.PENDING, source="signup")
    contact.email = "target@example.org"
    contact.save()
    event = Ask.objects.create(
        campaign=campaign, kind=Ask.Kind.EVENT, status=Ask.Status.OPEN, slug="hostile-event", title_en="Hostile",
        starts=timezone.now() + timedelta(days=3),
    )  # fmt: skip
    attending = Response(ask=event, status=Response.Status.CONFIRMED, confirmed_at=timezone.now())
    pending = Response(ask=event)
    for n, response in enumerate((attending, pending)):
        response.given_name, response.email = "Target", f"target{n}@example.org"
        response.set_person()
        response.save()
    return {
        "slug": campaign.slug,
        "ask_slug": event.slug,
        "code": run.code,
        "signup_token": make_token(contact, campaign=campaign),
        "email_token": tokens.make(contact.pk, None),
        "public:ask_withdraw": ask_tokens.make(attending, "withdraw"),
        "public:response_confirm": ask_tokens.make(pending, "confirm"),
    }


def url_of(route, world):
    kwargs = {}
    for param in route.params:
        if param in ("slug", "ask_slug"):
            kwargs[param] = world[param]
        elif param == "code":
            kwargs[param] = world["code"]
        elif param == "token" and route.name in world:  # a response's link
            kwargs[param] = world[route.name]
        elif param == "token":
            kwargs[param] = world["signup_token" if route.name == "public:signup_confirm" else "email_token"]
        else:
            raise AssertionError(f"{route}: teach this test to fill {param!r}")
    return reverse(route.name, kwargs=kwargs)


def form(value):
    """Every field any public form has, set to `value`."""
    return {"email": value, "given_name": value, "language": value, "website": "", "r": value, "leave": value}


def huge_headers():
    big = "x" * MB
    return {
        "HTTP_USER_AGENT": big,
        "HTTP_ACCEPT_LANGUAGE": "ar," * (MB // 3),
        "HTTP_X_FORWARDED_FOR": "10.0.0.1, " * (MB // 10),
        "HTTP_REFERER": "https://example.org/" + big,
        "HTTP_COOKIE": f"{settings.SESSION_COOKIE_NAME}={big}; csrftoken={big}; "
        f"{settings.LANGUAGE_COOKIE_NAME}={big}; junk={'y' * MB}",
    }


def attack(client, name, url):
    """Send attack `name` to `url`; the response."""
    stem, slash = (url[:-1], "/") if url.endswith("/") else (url, "")
    if name == "nul_in_query":
        return client.get(url + "?r=%00&sent=%00&x=a%00b")
    if name == "nul_in_path":
        return client.get(stem + "%00" + slash)
    if name == "nul_in_post":
        return client.post(url, form("a\x00b@example.org"))
    if name == "long_query":
        return client.get(url + "?r=" + "A" * MB)
    if name == "long_post":
        return client.post(url, {**form("x"), "given_name": "A" * MB, "email": "a" * MB + "@example.org"})
    if name == "too_much_post":
        return client.post(url, form("A" * MB))  # over DATA_UPLOAD_MAX_MEMORY_SIZE in all
    if name == "bad_utf8_query":
        return client.get(url + "?r=%FF%FE&given_name=%C3%28&email=%ED%A0%80@example.org")
    if name == "bad_utf8_path":
        return client.get(stem + "%FF%C3%28" + slash)
    if name == "bad_utf8_body":
        body = b"email=\xff\xfe%FF@example.org&given_name=%C3%28\xc3&language=\xed\xa0\x80&r=\xff"
        return client.post(url, body, content_type="application/x-www-form-urlencoded")
    if name == "bad_utf8_multipart":
        boundary = "BoUnDaRy"
        body = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="email"\r\n\r\n'.encode()
            + b"\xff\xfe@example.org\r\n"
            + f'--{boundary}\r\nContent-Disposition: form-data; name="given_name"\r\n\r\n'.encode()
            + b"\xc3\x28\r\n"
            + f"--{boundary}--\r\n".encode()
        )
        return client.post(url, body, content_type=f"multipart/form-data; boundary={boundary}")
    if name == "odd_email":  # valid for Django's EmailField, odd for mail libraries
        return client.post(url, {**form("x"), "language": "ar", "email": '"a\x01(b),[c]"@example.org'})
    if name == "huge_headers":
        return client.get(url, **huge_headers())
    if name in ("PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"):
        return client.generic(name, url, b"a=\x00\xff")
    raise AssertionError(name)


ATTACKS = (
    "nul_in_query",
    "nul_in_path",
    "nul_in_post",
    "long_query",
    "long_post",
    "too_much_post",
    "bad_utf8_query",
    "bad_utf8_path",
    "bad_utf8_body",
    "bad_utf8_multipart",
    "odd_email",
    "huge_headers",
    "PUT",
    "DELETE",
    "PATCH",
    "OPTIONS",
    "TRACE",
)


GETS = ("nul_in_query", "long_query", "bad_utf8_query", "huge_headers")
PATHS = ("nul_in_path", "bad_utf8_path")
POSTS = ("nul_in_post", "long_post", "too_much_post", "bad_utf8_body", "bad_utf8_multipart", "odd_email")
METHODS = ("PUT", "DELETE", "PATCH", "OPTIONS", "TRACE")
assert set(GETS + PATHS + POSTS + METHODS) == set(ATTACKS)


def row(get, path, post, methods=405, **exceptions):
    """The expected status of each attack on one kind of page."""
    table = {name: get for name in GETS} | {name: path for name in PATHS}
    return table | {name: post for name in POSTS} | {name: methods for name in METHODS} | exceptions


# A page shows itself whatever the query says (a bad print-run code is ignored), a form
# posted with bad values is shown again with its errors (200), a body over
# DATA_UPLOAD_MAX_MEMORY_SIZE is refused (400) by the pages that read it; a path with a NUL
# or broken UTF-8 names nothing (404), except a confirmation link, which is a broken link
# (400). Token pages act on POST whatever the body (the token is the credential: RFC 8058
# one-click unsubscribe, signup confirmation).
EXPECTED = {
    "campaign": row(200, 404, 200, too_much_post=400),
    # An ask's page: a response posted with bad values is refused with its errors shown (400).
    "ask": row(200, 404, 400),
    # A response's confirmation link: a broken link is a 400 page; POST confirms whatever the body.
    "response_confirm": row(200, 400, 200),
    # "I can't come": a broken link is no RSVP (404); POST withdraws whatever the body.
    "ask_withdraw": row(200, 404, 200),
    # The short address under a print run's QR code: on to the campaign page (302), whatever the
    # query says; only GET and HEAD (405); a code with a NUL or broken UTF-8 names no run (404).
    "short_link": row(302, 404, 405),
    "signup": row(200, 404, 200, too_much_post=400),
    "signup_confirm": row(200, 400, 200),
    "unsubscribe": row(200, 404, 200),
    "preferences": row(200, 404, 200, too_much_post=400),
    # Webhooks refuse everything until ANYMAIL_WEBHOOK_SECRET is set (messaging/tracking.py).
    "webhook": row(403, 404, 403, methods=403),
    # With the secret: a provider posts (400 without its credentials), nothing else is allowed.
    "webhook (secret set)": row(405, 404, 400),
    # ... and a provider that needs its own key besides the secret, not set here: no such webhook.
    "webhook (secret set, provider not configured)": row(405, 404, 404),
    # ... and Amazon SES, which posts through SNS: SNS sends the secret only after a 401 asks for it.
    "webhook (secret set, SNS)": row(405, 404, 401),
}

# anymail's webhooks that need a key (or package) of their provider besides the shared secret.
NEEDS_PROVIDER_KEY = {
    f"public:anymail:{name}"
    for name in (
        "brevo_inbound_webhook",
        "mailersend_inbound_webhook",
        "mailersend_tracking_webhook",
        "mailgun_inbound_webhook",
        "mailgun_tracking_webhook",
        "mailtrap_inbound_webhook",
        "mandrill_tracking_webhook",
        "mandrill_webhook",
        "postal_inbound_webhook",
        "postal_tracking_webhook",
        "resend_inbound_webhook",
        "sendinblue_inbound_webhook",
        "unisender_go_tracking_webhook",
    )
}

# anymail's Amazon SES webhooks (boto3 installed, no key needed besides the secret).
ASKS_FOR_AUTH = {f"public:anymail:amazon_ses_{name}_webhook" for name in ("inbound", "tracking")}

CASES = [(route, "") for route in ROUTES] + [(route, WEBHOOK_SECRET) for route in ROUTES if kind_of(route) == "webhook"]


def expected(route, secret, name):
    kind = kind_of(route)
    if secret:
        if route.name in ASKS_FOR_AUTH:
            kind += " (secret set, SNS)"
        else:
            kind += " (secret set, provider not configured)" if route.name in NEEDS_PROVIDER_KEY else " (secret set)"
    assert kind in EXPECTED, f"{route} is a new kind of public page: add its row to EXPECTED"
    return EXPECTED[kind][name]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ATTACKS)
@pytest.mark.parametrize(("route", "secret"), CASES, ids=[f"{r}{'+secret' if s else ''}" for r, s in CASES])
def test_each_public_url_answers_hostile_input_with_its_one_expected_status(world, route, secret, name, settings):
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": secret}
    settings.EMAIL_BACKEND = "core.mail.OutboxBackend"  # the embedded default, which writes real files
    client = Client(raise_request_exception=False)

    response = attack(client, name, url_of(route, world))

    assert response.status_code == expected(route, secret, name), f"{name} on {route}: {response.status_code}"


def test_the_walk_finds_every_kind_of_public_page():
    """So the test above cannot pass by attacking nothing."""
    assert {kind_of(route) for route in ROUTES} == {k for k in EXPECTED if "(" not in k}
    assert NEEDS_PROVIDER_KEY | ASKS_FOR_AUTH <= {route.name for route in ROUTES}
