"""`manage.py seed_demo`: demo users with TOTP devices, then the demo scenario (`devtools.demo`)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.crypto import get_random_string

from accounts import members
from accounts.roles import ADMIN, ORGANIZER, VOLUNTEER, sync_roles
from accounts.two_factor import new_device, totp_device
from devtools import demo

DEMO_USERS = (("admin", ADMIN), ("organizer", ORGANIZER), ("volunteer", VOLUNTEER))


class Command(BaseCommand):
    help = "Load demo users and demo data (idempotent; development only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo creates users with known passwords; it refuses to run when DEBUG is off.")
        sync_roles()
        credentials = settings.VAR_DIR / "demo_credentials.txt"
        lines = []
        for username, role in DEMO_USERS:
            user, created = get_user_model().objects.get_or_create(username=username)
            if created:
                password = get_random_string(14)
                user.set_password(password)
                user.save()
                members.set_role(user, role)
                lines.append(f"{username:10} {role:10} password: {password}")
            # Demo users skip the enrolment link: a confirmed device (seed encrypted) straight away.
            if role != VOLUNTEER and totp_device(user) is None:
                new_device(user, name="demo", confirmed=True)
        if lines:
            credentials.write_text("\n".join(lines) + "\n")
            credentials.chmod(0o600)
            self.stdout.write(self.style.SUCCESS("Demo users created:"))
            for line in lines:
                self.stdout.write("  " + line)
        else:
            self.stdout.write(f"Demo users already exist; their passwords are in {credentials}")
        self.stdout.write(
            "Admin and organizer need a TOTP code: `make totp USER=organizer` prints the current one. "
            "To use a phone instead, log in as admin and create an enrolment link on /accounts/users/."
        )
        demo.load(self.stdout)
