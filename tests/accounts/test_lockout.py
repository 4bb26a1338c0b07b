"""Login lockout that forged headers, rotated addresses and sprayed usernames cannot dodge."""

import pytest

from accounts.roles import VOLUNTEER
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def attempt(client, username, password, address="198.51.100.20", **headers):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address, **headers)


def logged_in(client):
    return "_auth_user_id" in client.session


def test_forged_forwarded_addresses_from_a_direct_client_do_not_dodge_the_lockout(client):
    user = make_user(VOLUNTEER)
    for n in range(12):
        attempt(client, user.username, "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{n + 1}")
    response = attempt(client, user.username, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.99")
    assert (response.status_code, logged_in(client)) == (429, False)


def test_failures_from_many_addresses_lock_the_username(client, settings):
    user = make_user(VOLUNTEER)
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, user.username, "wrong", address=f"198.51.100.{n + 1}")
    response = attempt(client, user.username, PASSWORD, address="192.0.2.77")
    assert (response.status_code, logged_in(client)) == (429, False)


def test_spraying_many_usernames_from_one_address_gets_limited(client, settings):
    user = make_user(VOLUNTEER)
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, f"guess-{n}", "Winter2025!")
    response = attempt(client, user.username, PASSWORD)
    assert (response.status_code, logged_in(client)) == (429, False)


def test_logging_in_to_ones_own_account_does_not_clear_failures_against_another(client, settings):
    victim, own = make_user(VOLUNTEER), make_user(VOLUNTEER)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, victim.username, "wrong")
    attempt(client, own.username, PASSWORD)
    client.logout()
    attempt(client, victim.username, "wrong")
    response = attempt(client, victim.username, PASSWORD, address="192.0.2.77")
    assert (response.status_code, logged_in(client)) == (429, False)


def test_a_successful_login_clears_that_users_own_typos(client, settings):
    user = make_user(VOLUNTEER)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, user.username, "wrong")
    attempt(client, user.username, PASSWORD)
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, user.username, "wrong")
    attempt(client, user.username, PASSWORD)
    assert logged_in(client)
