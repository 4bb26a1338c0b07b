"""Issue 11, finding 8: a second factor only through a one-time link an admin makes for
that user; no seed for whoever knows a password; recovery codes that work once each."""

import re
from base64 import b32decode
from datetime import timedelta
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP

from accounts.models import AuditEvent, EncryptedTOTPDevice, EnrolmentLink
from accounts.roles import ADMIN, ORGANIZER, VOLUNTEER
from tests.factories import PASSWORD, logged_in, make_user, totp_code

pytestmark = pytest.mark.django_db

KEY = re.compile(r'<code dir="ltr">([A-Z2-7]{16,})</code>')
CODE = re.compile(r"<li><code>([a-z2-7]{4}-[a-z2-7]{4})</code></li>")


def password_client(user):
    """Logged in with the password only, as someone who learnt it would be."""
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def make_link(person, admin=None):
    """The enrolment link's path, as an admin creates it on the users page."""
    admin = admin or make_user(ADMIN)
    response = logged_in(admin).post(reverse("accounts:enrolment_link", args=[person.pk]))
    assert response.status_code == 200
    url = re.search(r'<code dir="ltr">(https?://[^<]+)</code>', response.content.decode()).group(1)
    return urlsplit(url).path


def shown_key(response):
    return KEY.search(response.content.decode()).group(1)


def code_for(key, offset=0):
    totp = TOTP(b32decode(key), 30, 0, 6, 0)
    totp.time = totp.time + offset * 30
    return f"{totp.token():06d}"


def enrol(client, path):
    """Open the link, type the code the app would show; the response with the recovery codes."""
    key = shown_key(client.get(path))
    response = client.post(path, {"token": code_for(key)})
    assert response.status_code == 200
    return key, CODE.findall(response.content.decode())


def test_a_password_alone_shows_no_secret_only_to_ask_an_admin_for_a_link():
    user = make_user(ORGANIZER, with_device=False)
    client = password_client(user)
    for _ in range(2):  # the old page showed the same unconfirmed secret at every login
        response = client.get(reverse("accounts:two_factor"))
        html = response.content.decode()
        assert response.context["needs_link"] is True
        assert "<svg" not in html and "otpauth://" not in html and not KEY.search(html)
    assert not EncryptedTOTPDevice.objects.filter(user=user).exists()
    assert client.get(reverse("home")).url == reverse("accounts:two_factor")


def test_only_an_admin_creates_an_enrolment_link_and_it_is_audited():
    person = make_user(ORGANIZER, with_device=False)
    for role in (ORGANIZER, VOLUNTEER):
        response = logged_in(make_user(role)).post(reverse("accounts:enrolment_link", args=[person.pk]))
        assert response.status_code == 403
    assert not EnrolmentLink.objects.exists()

    admin = make_user(ADMIN)
    make_link(person, admin)
    link = EnrolmentLink.objects.get(user=person)
    event = AuditEvent.objects.get(action="user.enrolment_link_created")
    assert event.actor == admin and event.object_id == str(person.pk)
    assert link.expires - link.created == EnrolmentLink.LIFETIME
    assert logged_in(admin).get(reverse("accounts:enrolment_link", args=[person.pk])).status_code == 405


def test_the_link_shows_a_qr_code_and_an_otpauth_link_then_confirms_with_a_code_and_spends_itself():
    user = make_user(ORGANIZER, with_device=False)
    path = make_link(user)
    client = password_client(user)
    html = client.get(path).content.decode()
    assert "<svg" in html and 'href="otpauth://totp/' in html
    key, codes = enrol(client, path)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get(reverse("home")).status_code == 200  # verified by the enrolment itself
    assert AuditEvent.objects.filter(action="user.2fa_enabled", object_id=str(user.pk)).exists()

    assert client.get(path).status_code == 404  # single use
    assert client.post(path, {"token": code_for(key, 1)}).status_code == 404
    assert EnrolmentLink.objects.get(user=user).used is not None


def test_a_wrong_code_does_not_spend_the_link():
    user = make_user(ORGANIZER, with_device=False)
    path = make_link(user)
    client = password_client(user)
    key = shown_key(client.get(path))
    wrong = "000000" if code_for(key) != "000000" else "111111"
    response = client.post(path, {"token": wrong})
    assert response.status_code == 200 and response.context["form"].errors["token"]
    assert shown_key(response) == key  # the seed just scanned, to try again
    assert EnrolmentLink.objects.get(user=user).used is None


def test_a_link_made_more_than_24_hours_ago_does_not_open():
    user = make_user(ORGANIZER, with_device=False)
    path = make_link(user)
    age = EnrolmentLink.LIFETIME + timedelta(seconds=1)
    EnrolmentLink.objects.filter(user=user).update(created=F("created") - age, expires=F("expires") - age)
    response = password_client(user).get(path)
    assert response.status_code == 404
    assert "<svg" not in response.content.decode()


def test_the_link_is_refused_to_another_user_and_asks_a_stranger_to_log_in():
    user = make_user(ORGANIZER, with_device=False)
    path = make_link(user)
    for other in (make_user(ORGANIZER, with_device=False), make_user(ADMIN)):
        response = password_client(other).get(path)
        assert response.status_code == 404
        assert "<svg" not in response.content.decode()
    response = Client().get(path)
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    assert not EncryptedTOTPDevice.objects.filter(user=user).exists()


def test_a_made_up_link_is_a_404():
    client = password_client(make_user(ORGANIZER, with_device=False))
    for token in ("x" * 43, "short", "%00" * 10, "a" * 500):
        assert client.get(f"/accounts/enrol/{token}/").status_code == 404


def test_a_secret_once_shown_is_never_shown_again_nor_accepted():
    user = make_user(ORGANIZER, with_device=False)
    path = make_link(user)
    client = password_client(user)
    first = shown_key(client.get(path))
    second = shown_key(client.get(path))  # every opening makes a new seed
    assert first != second
    assert client.post(path, {"token": code_for(first)}).context["form"].errors["token"]
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() + timedelta(seconds=2)):
        assert client.post(path, {"token": code_for(second)}).status_code == 200  # after the throttle's delay
    assert EnrolmentLink.objects.get(user=user).used is not None

    pages = [client.get(reverse("accounts:two_factor"), follow=True), client.get(path)]
    pages.append(password_client(user).get(reverse("accounts:two_factor")))
    for response in pages:
        html = response.content.decode()
        assert first not in html and second not in html and "otpauth://" not in html


def test_recovery_codes_pass_the_two_factor_step_each_once():
    user = make_user(ORGANIZER, with_device=False)
    path = make_link(user)
    _key, codes = enrol(password_client(user), path)

    client = password_client(user)
    response = client.post(reverse("accounts:two_factor"), {"token": codes[0].upper().replace("-", " ")})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    assert AuditEvent.objects.filter(action="user.recovery_code_used", object_id=str(user.pk)).exists()

    again = password_client(user)
    response = again.post(reverse("accounts:two_factor"), {"token": codes[0]})
    assert response.status_code == 200 and response.context["form"].errors["token"]
    after_the_throttle = timezone.now() + timedelta(seconds=2)  # django-otp's delay after a failure
    with mock.patch("django.utils.timezone.now", return_value=after_the_throttle):
        assert again.post(reverse("accounts:two_factor"), {"token": codes[1]}).status_code == 302


def test_a_recovery_code_digest_read_from_the_database_is_not_a_code():
    from django_otp.plugins.otp_static.models import StaticToken

    user = make_user(ORGANIZER, with_device=False)
    enrol(password_client(user), make_link(user))
    digest = StaticToken.objects.filter(device__user=user).first().token
    client = password_client(user)
    response = client.post(reverse("accounts:two_factor"), {"token": digest})
    assert response.status_code == 200 and response.context["form"].errors["token"]


def test_a_new_link_replaces_a_lost_phone_once_confirmed():
    user = make_user(ORGANIZER)  # has a confirmed device: the phone now lost
    old = EncryptedTOTPDevice.objects.get(user=user)
    path = make_link(user)
    client = password_client(user)
    enrol(client, path)
    assert list(EncryptedTOTPDevice.objects.filter(user=user)) != [old]
    assert EncryptedTOTPDevice.objects.filter(user=user).count() == 1
    response = password_client(user).post(reverse("accounts:two_factor"), {"token": totp_code(user, offset=1)})
    assert response.status_code == 302  # the new device's next code works


def test_the_first_admin_gets_a_link_from_the_servers_shell_and_it_is_audited():
    from io import StringIO

    from django.core.management import CommandError, call_command

    admin = make_user(ADMIN, with_device=False)  # nobody verified yet can use the users page
    out = StringIO()
    call_command("enrolment_link", admin.username, stdout=out)
    path = urlsplit(out.getvalue().split()[-1]).path
    _key, codes = enrol(password_client(admin), path)
    assert len(codes) == 10
    assert AuditEvent.objects.filter(action="user.enrolment_link_created", object_id=str(admin.pk)).exists()
    with pytest.raises(CommandError):
        call_command("enrolment_link", make_user(VOLUNTEER).username, stdout=out)
