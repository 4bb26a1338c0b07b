"""The users page: invite by one-time link, change role, deactivate, unfreeze with links,
last login; nobody ever types someone else's password (issue 13, finding 7)."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts import members
from accounts.models import AuditEvent, EnrolmentLink, freeze_user
from accounts.roles import ADMIN, ORGANIZER, VOLUNTEER, role_of
from tests.factories import logged_in, make_user

pytestmark = pytest.mark.django_db
LINK = re.compile(r"http://[^\s<\"]+/accounts/password/[^\s<\"]+/")


def _path(url):
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def _invite(admin_client, username="amal", role=ORGANIZER):
    response = admin_client.post(reverse("accounts:invite"), {"username": username, "role": role})
    return response, LINK.search(response.content.decode())


def test_an_invite_makes_an_account_without_a_password_and_shows_a_one_time_link():
    response, link = _invite(logged_in(make_user(ADMIN)))
    person = get_user_model().objects.get(username="amal")
    event = AuditEvent.objects.get(action="user.invite")
    assert (response.status_code, link is not None, person.has_usable_password(), role_of(person), event.object_id) == (
        200,
        True,
        False,
        ORGANIZER,
        str(person.pk),
    )


def test_the_invite_link_sets_the_password_then_leads_to_enrolment():
    _response, link = _invite(logged_in(make_user(ADMIN)))
    from django.test import Client

    client = Client()
    response = client.post(
        _path(link.group(0)), {"new_password1": "a long new secret 42", "new_password2": "a long new secret 42"}
    )
    person = get_user_model().objects.get(username="amal")
    assert (
        response.status_code,
        "/accounts/enrol/" in response["Location"],
        person.check_password("a long new secret 42"),
    ) == (
        302,
        True,
        True,
    )


def test_the_invite_link_works_once():
    _response, link = _invite(logged_in(make_user(ADMIN)), role=VOLUNTEER)
    from django.test import Client

    form = {"new_password1": "a long new secret 42", "new_password2": "a long new secret 42"}
    Client().post(_path(link.group(0)), form)
    second = Client().post(_path(link.group(0)), {**form, "new_password1": "x" * 20, "new_password2": "x" * 20})
    person = get_user_model().objects.get(username="amal")
    assert (second.status_code, person.check_password("a long new secret 42")) == (404, True)


def test_the_invite_link_expires(monkeypatch):
    _response, link = _invite(logged_in(make_user(ADMIN)), role=VOLUNTEER)
    later = members.tokens._now() + members.LINK_LIFETIME + timedelta(minutes=1)
    monkeypatch.setattr(members.tokens, "_now", lambda: later)
    from django.test import Client

    assert Client().get(_path(link.group(0))).status_code == 404


def test_a_taken_username_is_refused_on_the_form():
    admin = make_user(ADMIN)
    make_user(VOLUNTEER, username="amal")
    response, link = _invite(logged_in(admin))
    assert (response.status_code, link) == (400, None)


def test_only_admins_invite():
    response, _link = _invite(logged_in(make_user(ORGANIZER)))
    assert (response.status_code, get_user_model().objects.filter(username="amal").exists()) == (403, False)


def test_a_role_change_is_made_and_audited():
    admin, member = make_user(ADMIN), make_user(VOLUNTEER)
    logged_in(admin).post(reverse("accounts:role", args=[member.pk]), {"role": ORGANIZER})
    member = get_user_model().objects.get(pk=member.pk)
    event = AuditEvent.objects.get(action="user.role_change")
    assert (role_of(member), event.detail) == (ORGANIZER, {"old": VOLUNTEER, "new": ORGANIZER})


def test_an_admin_cannot_change_their_own_role():
    admin = make_user(ADMIN)
    logged_in(admin).post(reverse("accounts:role", args=[admin.pk]), {"role": VOLUNTEER})
    admin = get_user_model().objects.get(pk=admin.pk)
    assert role_of(admin) == ADMIN


def test_deactivating_keeps_the_password_and_needs_the_confirmation():
    admin, member = make_user(ADMIN), make_user(ORGANIZER)
    client = logged_in(admin)
    client.post(reverse("accounts:deactivate", args=[member.pk]))
    member.refresh_from_db()
    still_active = member.is_active
    client.post(reverse("accounts:deactivate", args=[member.pk]), {"confirm": "deactivate"})
    member.refresh_from_db()
    assert (
        still_active,
        member.is_active,
        member.has_usable_password(),
        AuditEvent.objects.filter(action="user.deactivate").count(),
    ) == (True, False, True, 1)


def test_unfreezing_sets_no_password_and_issues_a_password_link_and_an_enrolment_link():
    admin, member = make_user(ADMIN), make_user(ORGANIZER)
    freeze_user(member, by=admin)
    response = logged_in(admin).post(reverse("accounts:unfreeze", args=[member.pk]), {"confirm": "unfreeze"})
    member.refresh_from_db()
    text = response.content.decode()
    assert (
        member.is_active,
        member.has_usable_password(),
        LINK.search(text) is not None,
        "/accounts/enrol/" in text,
        EnrolmentLink.objects.filter(user=member, used__isnull=True).count(),
        AuditEvent.objects.filter(action="user.unfreeze").count(),
    ) == (True, False, True, True, 1, 1)


def test_unfreezing_without_the_confirmation_does_nothing():
    admin, member = make_user(ADMIN), make_user(ORGANIZER)
    freeze_user(member, by=admin)
    logged_in(admin).post(reverse("accounts:unfreeze", args=[member.pk]))
    member.refresh_from_db()
    assert not member.is_active


def test_after_unfreezing_the_password_link_leaves_the_admin_made_enrolment_link_in_place():
    admin, member = make_user(ADMIN), make_user(ORGANIZER)
    freeze_user(member, by=admin)
    text = logged_in(admin).post(reverse("accounts:unfreeze", args=[member.pk]), {"confirm": "unfreeze"}).content
    link = LINK.search(text.decode()).group(0)
    from django.test import Client

    form = {"new_password1": "a long new secret 42", "new_password2": "a long new secret 42"}
    response = Client().post(_path(link), form)
    assert (response.status_code, EnrolmentLink.objects.filter(user=member, used__isnull=True).count()) == (200, 1)


def test_the_users_page_shows_the_last_login():
    admin = make_user(ADMIN)
    member = make_user(VOLUNTEER, username="amal")
    logged_in(member)
    member.refresh_from_db()
    page = logged_in(admin).get(reverse("accounts:users")).content.decode()
    assert (
        member.last_login.isoformat()[:16] in page.replace(" ", "T")
        or f'datetime="{member.last_login:%Y-%m-%d}' in page
    )
