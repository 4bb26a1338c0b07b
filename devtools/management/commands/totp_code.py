"""`manage.py totp_code USER`: the current code of a demo user's TOTP device (development only)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP

from accounts.two_factor import totp_device


class Command(BaseCommand):
    help = "Print the current TOTP code of a user's device (development only, for demo logins)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, username, **options):
        if not settings.DEBUG:
            raise CommandError("totp_code only works with DEBUG on.")
        user = get_user_model().objects.filter(username=username).first()
        device = totp_device(user) if user else None
        if device is None:
            raise CommandError(f"{username} has no confirmed TOTP device.")
        self.stdout.write(current_code(device))


def current_code(device):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"
