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


# Browser features no Hamla page uses; denied so an injected script or frame cannot ask for them.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "usb",
        "xr-spatial-tracking",
    )
)
NO_STORE = "no-store, private"


def may_be_cached(request, response):
    """Only a public page opened by a stranger, without a token in its URL, may stay in a cache.

    Everything else (every staff page, a login-protected URL answering an anonymous visitor,
    the pages reached by a supporter's own token, error pages, file downloads) holds or leads
    to personal data and must not be left in a seized laptop's browser cache or history.
    Nor does the answer to a POST: a public form refused for one field shows the visitor's
    name and email back in it."""
    if request.method not in ("GET", "HEAD"):
        return False
    match = getattr(request, "resolver_match", None)
    if match is None or match.namespaces[:1] != [PUBLIC_NAMESPACE] or "token" in match.kwargs:
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    return "attachment" not in response.get("Content-Disposition", "")


class PrivacyHeadersMiddleware:
    """Headers that keep supporters' data out of the browser: `Cache-Control: no-store` on
    whatever may hold it, and a Permissions-Policy on every response. (The CSP comes from
    django-csp's middleware, the Referrer-Policy from SECURE_REFERRER_POLICY.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not may_be_cached(request, response):
            response["Cache-Control"] = NO_STORE
            response.headers.pop("Expires", None)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
