"""Login throttling: django-axes' database handler, with two changes (settings.AXES_HANDLER).

- No user agent is stored: a staff member's browser is nobody's business, and the lock
  never counts by it (AXES_LOCKOUT_PARAMETERS is username, then address).
- A successful login clears only the failures of that username from that address.
  Axes would clear every row matching either lockout parameter, which with
  ["username", "ip_address"] includes every other username's failures from the same
  address: anyone with an account of their own could guess another's password four
  times, log in as themselves, and start again.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.utils import timezone


class LockoutHandler(AxesDatabaseHandler):
    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        if request is not None:
            request.axes_user_agent = ""
        return super().user_login_failed(sender, credentials, request, **kwargs)

    def user_logged_in(self, sender, request, user, **kwargs):
        request.axes_user_agent = ""
        return super().user_logged_in(sender, request, user, **kwargs)

    def reset_user_attempts(self, request, credentials=None):
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username, ip_address=request.axes_ip_address).delete()
        return count


def purge_expired_attempts(now=None):
    """Delete every login record older than the lock (AXES_COOLOFF_TIME): attempts, and any
    access or failure log left from before those logs were turned off. Returns how many."""
    threshold = (now or timezone.now()) - get_cool_off()
    deleted = 0
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        count, _ = model.objects.filter(attempt_time__lte=threshold).delete()
        deleted += count
    return deleted
