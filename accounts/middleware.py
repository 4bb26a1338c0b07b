from django.shortcuts import redirect

from .roles import is_organizer

# Paths an organizer may open before passing the second factor: the login steps and
# the public pages. Everything else under /accounts/ (users, audit log, outbox) is not.
EXEMPT_PREFIXES = (
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/two-factor/",
    "/i18n/",
    "/static/",
    "/healthz",
    "/c/",
    "/u/",
    "/signup/",
    "/webhooks/",
)


class RequireTwoFactorMiddleware:
    """Admins and organizers see supporters' data, so they must pass TOTP first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(EXEMPT_PREFIXES)
            and is_organizer(user)
            and not user.is_verified()
        ):
            return redirect("accounts:two_factor")
        return self.get_response(request)
