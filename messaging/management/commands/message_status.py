import json

from django.core.management.base import BaseCommand, CommandError

from messaging.models import Message


class Command(BaseCommand):
    help = "Print a newsletter's status and its deliveries counted by state."

    def add_arguments(self, parser):
        parser.add_argument("message_id", type=int)
        parser.add_argument("--json", action="store_true")

    def handle(self, message_id, **options):
        message = Message.objects.filter(pk=message_id).first()
        if message is None:
            raise CommandError(f"no newsletter {message_id}")
        counts = message.counts()
        if options["json"]:
            self.stdout.write(json.dumps({"status": message.status, "counts": counts}))
        else:
            self.stdout.write(f"{message.status}: " + ", ".join(f"{k} {v}" for k, v in counts.items() if v))
