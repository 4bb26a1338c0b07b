from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from .roles import ADMIN, ORGANIZER, VOLUNTEER, role_of


def role_required(*allowed):
    """Anonymous users go to the login page; users without an allowed role get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if role_of(request.user) not in allowed:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


admin_required = role_required(ADMIN)
organizer_required = role_required(ADMIN, ORGANIZER)
staff_required = role_required(ADMIN, ORGANIZER, VOLUNTEER)
