import pytest
from django.urls import reverse

from messaging.models import Message
from tests.factories import organizer_client

pytestmark = pytest.mark.django_db


def test_a_draft_with_no_audience_yet_opens_and_reaches_no_one():
    message = Message.objects.create(subject_en="Hello", body_en="Hi")
    response = organizer_client().get(reverse("messaging:detail", args=[message.pk]))
    assert (response.status_code, message.review().by_language) == (200, {})
