"""Create and schedule a newsletter to one list (used by operators and the benchmark)."""

import json
from datetime import datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from contacts.models import ContactList
from messaging.models import Message


class Command(BaseCommand):
    help = "Create a newsletter to a list and schedule it (now, or --at an ISO 8601 time)."

    def add_arguments(self, parser):
        parser.add_argument("--list", required=True, dest="list_name", help="name of the contact list")
        parser.add_argument("--subject", required=True)
        parser.add_argument("--body-file", required=True, help="Markdown body (UTF-8)")
        parser.add_argument("--language", choices=["ar", "en"], default="ar")
        parser.add_argument("--at", help="ISO 8601 time, e.g. 2026-05-01T09:00+03:00 (default: now)")
        parser.add_argument("--json", action="store_true")

    def handle(self, list_name, subject, body_file, language, at, **options):
        contact_list = ContactList.objects.filter(name=list_name).first()
        if contact_list is None:
            raise CommandError(f"no list named {list_name!r}")
        try:
            body = Path(body_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {body_file}: {exc}")
        send_at = None
        if at:
            try:
                send_at = datetime.fromisoformat(at)
            except ValueError:
                raise CommandError(f"--at {at!r} is not an ISO 8601 time")
            if timezone.is_naive(send_at):
                send_at = timezone.make_aware(send_at)
        message = Message(**{f"subject_{language}": subject, f"body_{language}": body})
        try:
            message.full_clean(exclude=["lists", "tags", "segment"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages))
        message.save()
        message.lists.add(contact_list)
        message.schedule(at=send_at)
        if send_at is None:
            from messaging.tasks import start_message

            start_message.delay(message.pk)
        if options["json"]:
            self.stdout.write(json.dumps({"message": message.pk}))
        else:
            self.stdout.write(f"newsletter {message.pk} scheduled for {message.send_at.isoformat()}")
