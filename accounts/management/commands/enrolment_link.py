"""`manage.py enrolment_link USERNAME`: a one-time enrolment link from the server's shell.

The first admin of a new installation has no second factor, and only a verified admin can
create links on the users page: whoever can run manage.py on the server (and so could read
HAMLA_ENCRYPTION_KEY anyway) makes the first link here. Audited like the page's."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.roles import is_organizer
from accounts.two_factor import create_link, enrol_url, link_hours


class Command(BaseCommand):
    help = "Print a one-time link (24 hours) for a staff member to set up their authenticator app."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, username, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user named {username!r}.")
        if not is_organizer(user):
            raise CommandError(f"{username} is not an admin or organizer: volunteers use no second factor.")
        token = create_link(user, by=None)
        self.stdout.write(f"Valid once, for {link_hours()} hours, for {username} logged in with their password:")
        self.stdout.write(enrol_url(token))
