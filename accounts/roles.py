"""The three staff roles, as Django groups with permissions.

Apps declare what each role may do in them (`grant`), by app label (every permission
of the app) or by "app_label.codename". Groups are brought in line after each migrate.
"""

from django.utils.translation import gettext_lazy as _

ADMIN = "Admin"
ORGANIZER = "Organizer"
VOLUNTEER = "Volunteer"
ROLES = (ADMIN, ORGANIZER, VOLUNTEER)
ROLE_LABELS = {ADMIN: _("Admin"), ORGANIZER: _("Organizer"), VOLUNTEER: _("Volunteer")}

# What each role may do, by app label (every permission of the app) or by
# "app_label.codename". Each app declares its own grants with `grant` from its
# AppConfig.ready(), so this module names no other app.
ROLE_PERMISSIONS = {ADMIN: ["accounts", "auth"], ORGANIZER: ["accounts.view_auditevent"], VOLUNTEER: []}
# Permissions that stay Admin-only even where an app is granted wholesale.
ADMIN_ONLY = set()


def grant(role, *permissions, admin_only=()):
    """Give `role` these permissions (app labels or "app_label.codename"); `admin_only`
    names permissions no other role gets even when granted the whole app."""
    for permission in permissions:
        if permission not in ROLE_PERMISSIONS[role]:
            ROLE_PERMISSIONS[role].append(permission)
    ADMIN_ONLY.update(admin_only)


def role_of(user):
    """The user's highest role name, or None for users without one."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return ADMIN
    # Middleware, decorator and context processor all ask on every request: ask the database once.
    if not hasattr(user, "_hamla_role"):
        # .all(), not values_list: a page listing users prefetches their groups.
        names = {group.name for group in user.groups.all()}
        user._hamla_role = next((role for role in ROLES if role in names), None)
    return user._hamla_role


def is_organizer(user):
    """Admins and organizers: the people allowed to see supporters' data."""
    return role_of(user) in (ADMIN, ORGANIZER)


def is_admin(user):
    return role_of(user) == ADMIN


def sync_roles(**kwargs):
    from django.contrib.auth.models import Group, Permission

    all_perms = list(Permission.objects.select_related("content_type"))
    for role, grants in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for perm in all_perms:
            label = f"{perm.content_type.app_label}.{perm.codename}"
            if role != ADMIN and label in ADMIN_ONLY:
                continue
            if perm.content_type.app_label in grants or label in grants:
                wanted.append(perm)
        group.permissions.set(wanted)
