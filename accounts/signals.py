"""Logins and failed logins in Hamla's own audit log (connected in accounts.apps).

An audit row holds no password and no address, and never the text typed as a
username: people paste passwords into that field. A failure names the account when
the username is a real one, and otherwise says only that it was unknown.

Attempts refused because a lock already holds are not recorded, one by one: the lock is,
once, when it starts. Otherwise anyone could push the real events off the audit page by
hammering the login form.
"""

from django.contrib.auth import get_user_model

from .models import audit


def logged_in(sender, request, user, **kwargs):
    audit(user, "user.login", user)


def login_failed(sender, credentials, request=None, **kwargs):
    if _refused_by_lock(request):
        return
    user = _account(credentials)
    if user is None:
        audit(None, "user.login_failed", reason="unknown_username")
    else:
        audit(None, "user.login_failed", user)


def locked_out(sender, request=None, username=None, **kwargs):
    if _refused_by_lock(request):
        return
    user = _account({get_user_model().USERNAME_FIELD: username})
    if user is None:
        audit(None, "user.locked_out", reason="unknown_username")
    else:
        audit(None, "user.locked_out", user)


def _refused_by_lock(request):
    # axes' backend flags a request it refuses because a lock holds (with
    # AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT off) and counts nothing for it; the
    # failure that starts a lock is flagged too, but only after being counted.
    return getattr(request, "axes_locked_out", False) and getattr(request, "axes_failures_since_start", None) is None


def _account(credentials):
    model = get_user_model()
    username = (credentials or {}).get(model.USERNAME_FIELD)
    if not isinstance(username, str) or not username or "\x00" in username:
        return None
    return model._default_manager.filter(**{model.USERNAME_FIELD: username}).first()
