import pytest
from django.urls import reverse

from accounts.models import freeze_user
from accounts.roles import ADMIN, ORGANIZER, VOLUNTEER
from tests.factories import PASSWORD, logged_in, make_user, totp_code

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def post_login(client, username, password=PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password}, follow=True)


def test_it_shows_the_login_form_in_arabic_by_default(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'dir="rtl"' in html and 'lang="ar"' in html


def test_it_rejects_a_wrong_password_with_a_form_error(client):
    user = make_user(VOLUNTEER)
    response = post_login(client, user.username, "not the password")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_it_rejects_an_unknown_user_the_same_way(client):
    response = post_login(client, "nobody-here")
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_a_volunteer_logs_in_without_a_second_factor(client):
    user = make_user(VOLUNTEER)
    response = post_login(client, user.username)
    assert response.redirect_chain[-1][0] == reverse("flyers:volunteer")  # volunteers land on the print page
    assert response.status_code == 200


@pytest.mark.parametrize("role", [ORGANIZER, ADMIN])
def test_organizers_and_admins_must_pass_totp(client, role):
    user = make_user(role)
    response = post_login(client, user.username)
    assert response.redirect_chain[-1][0] == reverse("accounts:two_factor")
    # Until the code is given, every staff page sends them back to the check.
    assert client.get(reverse("home")).url == reverse("accounts:two_factor")

    response = client.post(reverse("accounts:two_factor"), {"token": totp_code(user)}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_a_wrong_totp_code_is_refused_with_a_message(client):
    user = make_user(ORGANIZER)
    post_login(client, user.username)
    wrong = "000000" if totp_code(user) != "000000" else "111111"
    response = client.post(reverse("accounts:two_factor"), {"token": wrong})
    assert response.status_code == 200
    assert response.context["form"].errors["token"]
    assert client.get(reverse("home")).status_code == 302


def test_a_frozen_user_cannot_log_in(client):
    user = make_user(VOLUNTEER)
    freeze_user(user, by=None)
    response = post_login(client, user.username)
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_repeated_failures_lock_the_login(client, settings):
    user = make_user(VOLUNTEER)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, user.username, "wrong")
    response = post_login(client, user.username)  # even the right password now
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_volunteer_gets_403_on_an_organizer_page():
    client = logged_in(make_user(VOLUNTEER))
    for name in ("accounts:users", "accounts:audit", "accounts:outbox"):
        response = client.get(reverse(name))
        assert response.status_code == 403, name
    assert "dir=" in client.get(reverse("accounts:users")).content.decode()


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


@pytest.mark.parametrize("page", ["accounts:users", "accounts:audit", "accounts:outbox"])
def test_an_admin_with_only_a_password_cannot_open_the_admin_pages(client, page):
    user = make_user(ADMIN)
    post_login(client, user.username)
    assert client.get(reverse(page)).url == reverse("accounts:two_factor")


def test_after_the_second_factor_it_goes_only_to_a_page_of_this_site(client):
    user = make_user(ORGANIZER)
    post_login(client, user.username)
    url = reverse("accounts:two_factor") + "?next=https://evil.example/phish"
    response = client.post(url, {"token": totp_code(user)})
    assert response.url == reverse("home")


def test_after_the_second_factor_it_goes_on_to_the_page_asked_for(client):
    user = make_user(ORGANIZER)
    post_login(client, user.username)
    response = client.post(reverse("accounts:two_factor") + "?next=/contacts/", {"token": totp_code(user)})
    assert response.url == "/contacts/"
