import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from devtools.demo import messaging as demo
from messaging.models import Message

from .helpers import make_list

pytestmark = pytest.mark.django_db


def test_the_demo_is_idempotent():
    demo.load(io.StringIO())
    demo.load(io.StringIO())
    assert Message.objects.filter(subject_ar=demo.SUBJECT_AR).count() == 1


def test_send_newsletter_schedules_a_message_and_message_status_reports_it(tmp_path):
    make_list(name="Aleppo", count=2)
    body = tmp_path / "body.md"
    body.write_text("مرحبا {{ first_name }}", encoding="utf-8")
    out = io.StringIO()
    call_command(
        "send_newsletter", "--list", "Aleppo", "--subject", "نشرة", "--body-file", str(body),
        "--at", "2099-01-01T09:00+03:00", "--json", stdout=out,
    )  # fmt: skip
    message_id = json.loads(out.getvalue())["message"]
    message = Message.objects.get(pk=message_id)
    assert message.status == "scheduled" and message.send_at.year == 2099

    message.send_at = message.send_at.replace(year=2000)
    message.save()
    assert message.start()
    out = io.StringIO()
    call_command("message_status", str(message_id), "--json", stdout=out)
    status = json.loads(out.getvalue())
    assert status["status"] == "sending" and status["counts"]["queued"] == 2 and status["counts"]["sent"] == 0


def test_send_newsletter_refuses_hostile_merge_fields(tmp_path):
    make_list(name="Aleppo", count=1)
    body = tmp_path / "body.md"
    body.write_text("{{ settings.SECRET_KEY }}", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("send_newsletter", "--list", "Aleppo", "--subject", "x", "--body-file", str(body))
    assert not Message.objects.exists()
