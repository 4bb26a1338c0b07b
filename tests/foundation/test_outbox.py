import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import AuditEvent
from accounts.roles import ADMIN, ORGANIZER
from core.mail import OutboxBackend
from tests.factories import logged_in, make_user

pytestmark = pytest.mark.django_db


def test_mail_without_a_provider_lands_in_the_local_outbox(settings):
    sent = OutboxBackend().send_messages(
        [mail.EmailMessage("مرحبا", "نص الرسالة", "hamla@localhost", ["supporter@example.org"])]
    )
    assert sent == 1
    files = list(settings.HAMLA_OUTBOX_DIR.glob("*.eml"))
    assert len(files) == 1
    assert b"supporter@example.org" in files[0].read_bytes()


def test_outbox_files_are_readable_by_their_owner_only(settings):
    OutboxBackend().send_messages([mail.EmailMessage("Hello", "Body", "hamla@localhost", ["a@example.org"])])
    modes = {oct(path.stat().st_mode & 0o777) for path in settings.HAMLA_OUTBOX_DIR.iterdir()}
    assert modes == {oct(0o600)}


def test_admins_can_read_the_outbox_and_organizers_cannot(settings):
    OutboxBackend().send_messages([mail.EmailMessage("Hello", "Body", "hamla@localhost", ["a@example.org"])])
    admin = logged_in(make_user(ADMIN))
    page = admin.get(reverse("accounts:outbox"))
    assert page.status_code == 200
    assert "Hello" in page.content.decode()
    name = next(settings.HAMLA_OUTBOX_DIR.glob("*.eml")).name
    assert admin.get(reverse("accounts:outbox_file", args=[name])).status_code == 200
    assert admin.get(reverse("accounts:outbox_file", args=["..%2Fsecret_key"])).status_code == 404
    # The outbox holds supporters' addresses: reading it is audited like any personal data.
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions[-2:] == ["outbox.viewed", "outbox.downloaded"]
    assert logged_in(make_user(ORGANIZER)).get(reverse("accounts:outbox")).status_code == 403
