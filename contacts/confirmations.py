"""What deleting a list, a tag, a segment or a saved import mapping will do, in words, for
the confirmation step (accounts.confirm): the delete POST acts only with confirm=delete."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.confirm import Confirmation


def pk_of(value):
    """A posted primary key, or 0 (found by nothing) for anything that is not one."""
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 19 else 0


def list_delete(contact_list):
    members = contact_list.memberships.filter(Q(subscribed=True)).count()
    return Confirmation(
        code="delete",
        question=_("Delete the list ‘%(name)s’?") % {"name": contact_list.name},
        consequences=[
            ngettext(
                "Its %(n)d member stays a supporter, only no longer on this list.",
                "Its %(n)d members stay supporters, only no longer on this list.",
                members,
            )
            % {"n": members},
            _("Its import records go with it. This cannot be undone."),
        ],
        button=_("Yes, delete the list"),
        action=reverse("contacts:list_edit", args=[contact_list.pk]),
        back=reverse("contacts:list_edit", args=[contact_list.pk]),
        fields=[("delete", "1")],
    )


def tag_delete(tag):
    return Confirmation(
        code="delete",
        question=_("Delete the tag ‘%(name)s’?") % {"name": tag.name},
        consequences=[
            ngettext(
                "It is taken off %(n)d supporter, who is kept.",
                "It is taken off %(n)d supporters, who are all kept.",
                tag.members,
            )
            % {"n": tag.members},
            _("Segments that filter by this tag no longer find anyone by it. This cannot be undone."),
        ],
        button=_("Yes, delete the tag"),
        action=reverse("contacts:tags"),
        back=reverse("contacts:tags"),
        fields=[("delete", str(tag.pk))],
    )


def segment_delete(segment):
    return Confirmation(
        code="delete",
        question=_("Delete the segment ‘%(name)s’?") % {"name": segment.name},
        consequences=[
            _("Only the saved filters go: no supporter is changed or removed."),
            _("Newsletters already sent to it keep their figures. This cannot be undone."),
        ],
        button=_("Yes, delete the segment"),
        action=reverse("contacts:segment", args=[segment.pk]),
        back=reverse("contacts:segment", args=[segment.pk]),
        fields=[("delete", "1")],
    )


def import_mapping_delete(mapping, back):
    return Confirmation(
        code="delete",
        question=_("Delete the saved mapping ‘%(name)s’?") % {"name": mapping.name},
        consequences=[
            _("Imports already made with it are not changed: each keeps its own copy of the columns."),
            _(
                "A file with these columns will no longer have it chosen, and import_contacts --mapping "
                "will no longer find it by this name. This cannot be undone."
            ),
        ],
        button=_("Yes, delete the mapping"),
        action=back,
        back=back,
        fields=[("delete", "1")],
    )
