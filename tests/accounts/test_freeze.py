import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice

from accounts import two_factor
from accounts.models import AuditEvent, EncryptedTOTPDevice, EnrolmentLink
from accounts.roles import ADMIN, ORGANIZER
from tests.factories import logged_in, make_user

pytestmark = pytest.mark.django_db


def test_freezing_a_member_ends_their_sessions_and_is_audited():
    admin = make_user(ADMIN)
    member = make_user(ORGANIZER)
    two_factor.issue_recovery_codes(member)
    two_factor.create_link(member, by=admin)  # a pending enrolment link must not outlive the freeze
    member_client = logged_in(member)
    assert member_client.get(reverse("home")).status_code == 200

    response = logged_in(admin).post(reverse("accounts:freeze", args=[member.pk]), {"confirm": "freeze"})
    assert response.status_code == 302

    member.refresh_from_db()
    assert not member.is_active
    assert not EncryptedTOTPDevice.objects.filter(user=member).exists()
    assert not StaticDevice.objects.filter(user=member).exists()  # recovery codes
    assert not EnrolmentLink.objects.filter(user=member).exists()
    # Reactivated one day, the old password (which the member may have been forced to
    # give up) must not let anyone enrol a new phone: an admin sets a new one first.
    assert not member.has_usable_password()
    assert member_client.get(reverse("home")).status_code == 302  # logged out
    event = AuditEvent.objects.get(action="user.freeze")
    assert event.actor == admin and event.object_id == str(member.pk)
    assert event.detail["sessions_ended"] == 1


def test_only_admins_can_freeze():
    organizer = make_user(ORGANIZER)
    other = make_user(ORGANIZER)
    response = logged_in(organizer).post(reverse("accounts:freeze", args=[other.pk]), {"confirm": "freeze"})
    assert response.status_code == 403
    other.refresh_from_db()
    assert other.is_active


def test_an_admin_cannot_freeze_themselves():
    admin = make_user(ADMIN)
    client = logged_in(admin)
    client.post(reverse("accounts:freeze", args=[admin.pk]), {"confirm": "freeze"})
    admin.refresh_from_db()
    assert admin.is_active
    assert Session.objects.exists()


def test_opening_the_freeze_link_only_asks_for_confirmation():
    admin = make_user(ADMIN)
    member = make_user(ORGANIZER)
    assert logged_in(admin).get(reverse("accounts:freeze", args=[member.pk])).status_code == 200
    member.refresh_from_db()
    assert member.is_active
