from django.shortcuts import redirect

from .roles import is_organizer

# Login-free pages are those of the "public" URL namespace (the public_pages app), exempt as a
# whole: a new public page needs no entry here. Besides them, an organizer may open only
# the steps that lead to the second factor (the enrolment link's page among them: it is
# how one gets a second factor), switch language, and the health check.
PUBLIC_NAMESPACE = "public"
BEFORE_SECOND_FACTOR = frozenset(
    {"accounts:login", "accounts:logout", "accounts:two_factor", "accounts:enrol", "set_language", "healthz"}
)


def exempt(resolver_match):
    """Whether a resolved URL may be opened by an organizer who has not passed TOTP yet."""
    if resolver_match.namespaces[:1] == [PUBLIC_NAMESPACE]:
        return True
    return resolver_match.view_name in BEFORE_SECOND_FACTOR


class RequireTwoFactorMiddleware:
    """Admins and organizers see supporters' data, so they must pass TOTP first.

    Decided in process_view, once the URL is resolved: what a page is (its namespace
    and name), not how its path is spelled, says whether it is exempt."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if (
            user.is_authenticated
            and not exempt(request.resolver_match)
            and is_organizer(user)
            and not user.is_verified()
        ):
            return redirect("accounts:two_factor")
        return None
