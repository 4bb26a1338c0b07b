from .roles import ADMIN, ORGANIZER, ROLE_LABELS, VOLUNTEER, role_of


def roles(request):
    role = role_of(request.user) if hasattr(request, "user") else None
    return {
        "role": role,
        "role_label": ROLE_LABELS.get(role, ""),
        "is_admin_role": role == ADMIN,
        "is_organizer_role": role in (ADMIN, ORGANIZER),
        "is_volunteer_role": role == VOLUNTEER,
    }
