"""Small factories for staff users, logged-in clients and TOTP codes."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django_otp.oath import TOTP

from accounts.roles import ADMIN, ORGANIZER, VOLUNTEER, sync_roles
from accounts.two_factor import new_device, totp_device
from devtools.clients import verified_client

PASSWORD = "correct horse battery"


def make_user(role=ORGANIZER, username=None, with_device=True):
    sync_roles()
    username = username or f"{role.lower()}-{get_user_model().objects.count() + 1}"
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    user.groups.add(Group.objects.get(name=role))
    if role == ADMIN:
        user.is_staff = user.is_superuser = True
        user.save()
    if with_device and role != VOLUNTEER:
        new_device(user, name="test", confirmed=True)
    return user


def totp_code(user, offset=0):
    device = totp_device(user)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset * device.step
    return f"{totp.token():0{device.digits}d}"


def logged_in(user):
    """A test client logged in as `user`, past the second factor where one is needed."""
    return verified_client(user)


def organizer_client():
    return logged_in(make_user(ORGANIZER))


def volunteer_client():
    return logged_in(make_user(VOLUNTEER))


def admin_client():
    return logged_in(make_user(ADMIN))
