import json

from django.core.management.base import BaseCommand, CommandError

from messaging import activity
from messaging.models import Message


class Command(BaseCommand):
    help = (
        "Print a newsletter's status, its deliveries counted by state, the workers holding its claims, "
        "when its last row was sent and why it is waiting."
    )

    def add_arguments(self, parser):
        parser.add_argument("message_id", type=int)
        parser.add_argument("--json", action="store_true")

    def handle(self, message_id, **options):
        message = Message.objects.filter(pk=message_id).first()
        if message is None:
            raise CommandError(f"no newsletter {message_id}")
        counts = message.counts()
        # Which workers hold its claims (node, rows, lease age), the last row sent, why it waits.
        now = activity.report(message)
        if options["json"]:
            self.stdout.write(json.dumps({"status": message.status, "counts": counts, **now}))
            return
        self.stdout.write(f"{message.status}: " + ", ".join(f"{k} {v}" for k, v in counts.items() if v))
        for worker in now["workers"]:
            age = "-" if worker["lease_age_seconds"] is None else f"{worker['lease_age_seconds']}s"
            state = "alive" if worker["alive"] else "lapsed"
            self.stdout.write(f"  {worker['node'] or '(no worker)'}: {worker['rows']} rows, lease {age} ({state})")
        if now["last_sent_at"]:
            self.stdout.write(f"  last sent: {now['last_sent_at']}")
        if now["waiting"]:
            self.stdout.write(f"  waiting: {now['waiting']['reason']}")
