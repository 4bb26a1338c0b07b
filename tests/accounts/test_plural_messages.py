import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.roles import VOLUNTEER
from tests.factories import logged_in, make_user

pytestmark = pytest.mark.django_db


def freeze_message(sessions, language):
    admin = make_user("Admin")
    member = make_user(VOLUNTEER)
    for _ in range(sessions):
        logged_in(member)
    client = logged_in(admin)
    client.cookies.load({"django_language": language})
    response = client.post(reverse("accounts:freeze", args=[member.pk]), {"confirm": "freeze"})
    return [str(m) for m in get_messages(response.wsgi_request)][0]


def test_freezing_a_member_with_four_sessions_says_four_sessions_in_arabic_plural():
    assert "أُنهيت 4 جلسات" in freeze_message(4, "ar")
