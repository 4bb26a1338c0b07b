"""In-process HTTP clients for benchmarks and tests: a staff user already past login
and the second factor, so measurements and tests exercise the real pages."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.utils.crypto import get_random_string
from django_otp import DEVICE_ID_SESSION_KEY

from accounts.roles import ORGANIZER, sync_roles
from accounts.two_factor import new_device, totp_device


def verified_client(user):
    """A test Client logged in as `user`, past TOTP where the user has a confirmed device."""
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    device = totp_device(user)
    if device:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def throwaway_organizer():
    """A new organizer with a confirmed TOTP device (delete it when done)."""
    sync_roles()
    user = get_user_model().objects.create_user(username=f"bench-{get_random_string(10)}", password=None)
    user.groups.add(Group.objects.get(name=ORGANIZER))
    new_device(user, name="bench", confirmed=True)
    return user
