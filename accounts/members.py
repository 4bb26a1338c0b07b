"""Managing staff members without ever handling their passwords: invitations, roles, and
the one-time link that lets a member set their own password.

A password-set link is Django's password-reset token machinery with its own salt: the
token is derived from the account's current password hash and last login, so it stops
working the moment it is used (the password changes) and after `LINK_LIFETIME`. Nothing is
stored. An invited member's account has an unusable password until they set one; a frozen
member's too (see `freeze_user`). Admins type usernames and roles, never passwords.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode

from .models import audit
from .roles import ADMIN, ROLES, role_of

LINK_LIFETIME = timedelta(hours=72)


class _PasswordSetTokens(PasswordResetTokenGenerator):
    key_salt = "hamla password-set link v1"

    def check_token(self, user, token):
        if not super().check_token(user, token):
            return False
        age = self._num_seconds(self._now()) - base36_to_int(token.split("-")[0])
        return age <= LINK_LIFETIME.total_seconds()


tokens = _PasswordSetTokens()


def password_set_url(user):
    """An absolute one-time link for `user` to set their password (shown once, to an admin)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("accounts:password_set", args=[uid, tokens.make_token(user)])
    return settings.SITE_URL + path


def user_for_link(uidb64, token):
    """The active account a password-set link names, if the link is still good; else None."""
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, TypeError, UnicodeDecodeError):
        return None
    user = get_user_model()._default_manager.filter(pk=pk, is_active=True).first()
    if user is None or not isinstance(token, str) or not tokens.check_token(user, token):
        return None
    return user


def set_role(user, role):
    """Make `role` the user's only role; admins are also Django staff and superusers."""
    user.groups.set([Group.objects.get(name=role)])
    user.is_staff = user.is_superuser = role == ADMIN
    user.save(update_fields=["is_staff", "is_superuser"])
    user.__dict__.pop("_hamla_role", None)


def invite(username, role, by):
    """A new account with no usable password, in `role`; audited as "user.invite". Returns
    the account; its password-set link comes from `password_set_url`."""
    if role not in ROLES:
        raise ValueError(role)
    with transaction.atomic():
        user = get_user_model().objects.create_user(username=username, password=None)
        set_role(user, role)
        audit(by, "user.invite", user, role=role)
    return user


def change_role(user, role, by):
    """Move `user` to `role`; audited as "user.role_change" with the old and new role.
    Returns False when it already had that role (nothing recorded)."""
    if role not in ROLES:
        raise ValueError(role)
    old = role_of(user)
    if old == role:
        return False
    with transaction.atomic():
        set_role(user, role)
        audit(by, "user.role_change", user, old=old or "", new=role)
    return True
