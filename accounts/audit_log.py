"""The audit log as sentences people can read, in their own language.

Events hold only an action code, the actor's username, a reference (model label and
primary key) and counts or ids (`accounts.models.audit`). Each code has one translated
sentence here; `%(actor)s` is who did it, `%(object)s` what it was done to (the kind of
object and its number, never a name: a contact's name is personal data), and other
placeholders are counts or ids from the event's detail. A code without a sentence is
shown as its code, so a new event is never hidden. The table is grouped by area, the first
part of the code.
"""

from django.apps import apps
from django.urls import NoReverseMatch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from .roles import ROLE_LABELS

SENTENCES = {
    "user": {
        "login": gettext_lazy("%(actor)s logged in."),
        "login_failed": gettext_lazy("A login as %(object)s failed (wrong password or code)."),
        "locked_out": gettext_lazy("Logins as %(object)s were locked for an hour after repeated failures."),
        "freeze": gettext_lazy("%(actor)s froze %(object)s (%(sessions_ended)s sessions ended)."),
        "deactivate": gettext_lazy("%(actor)s deactivated %(object)s."),
        "unfreeze": gettext_lazy("%(actor)s reactivated %(object)s."),
        "invite": gettext_lazy("%(actor)s invited %(object)s as %(role)s."),
        "role_change": gettext_lazy("%(actor)s changed the role of %(object)s from %(old)s to %(new)s."),
        "password_set": gettext_lazy("%(object)s set their password through a one-time link."),
        "enrolment_link_created": gettext_lazy("%(actor)s created an enrolment link for %(object)s."),
        "2fa_enabled": gettext_lazy("%(object)s set up their authenticator app."),
        "recovery_code_used": gettext_lazy("%(actor)s logged in with a recovery code (%(left)s left)."),
    },
    "campaign": {
        "create": gettext_lazy("%(actor)s created %(object)s."),
        "edit": gettext_lazy("%(actor)s edited %(object)s."),
        "status": gettext_lazy("%(actor)s moved %(object)s from %(old)s to %(new)s."),
        "reopen": gettext_lazy("%(actor)s reopened the cancelled %(object)s."),
    },
    "action": {
        "create": gettext_lazy("%(actor)s recorded %(object)s."),
        "edit": gettext_lazy("%(actor)s edited %(object)s."),
    },
    "contact": {
        "create": gettext_lazy("%(actor)s added %(object)s."),
        "edit": gettext_lazy("%(actor)s edited %(object)s."),
        "view": gettext_lazy("%(actor)s opened %(object)s."),
        "reveal": gettext_lazy("%(actor)s revealed the email and phone of %(object)s."),
        "unsubscribe": gettext_lazy("%(actor)s unsubscribed %(object)s from newsletters."),
        "erase": gettext_lazy("%(actor)s erased %(object)s."),
    },
    "contacts": {
        "list_view": gettext_lazy("%(actor)s viewed a page of %(shown)s supporters."),
        "list_create": gettext_lazy("%(actor)s created %(object)s."),
        "list_delete": gettext_lazy("%(actor)s deleted %(object)s."),
        "tag_delete": gettext_lazy("%(actor)s deleted %(object)s."),
        "segment_save": gettext_lazy("%(actor)s saved %(object)s (%(count)s supporters)."),
        "segment_delete": gettext_lazy("%(actor)s deleted %(object)s."),
        "export": gettext_lazy("%(actor)s exported %(count)s supporters of %(object)s."),
        "import_upload": gettext_lazy("%(actor)s uploaded a file to import into %(object)s."),
        "import_preview": gettext_lazy("%(actor)s previewed %(rows)s rows of a file to import into %(object)s."),
        "import_mapping_save": gettext_lazy("%(actor)s saved %(object)s."),
        "import_mapping_rename": gettext_lazy("%(actor)s renamed %(object)s."),
        "import_mapping_delete": gettext_lazy("%(actor)s deleted %(object)s."),
        "import_start": gettext_lazy("%(actor)s started %(object)s."),
        "import": gettext_lazy("%(actor)s imported into %(object)s."),
        "import_failed": gettext_lazy("An import into %(object)s failed."),
        "bulk_tag": gettext_lazy("%(actor)s tagged %(changed)s of %(matched)s matching supporters with %(object)s."),
        "bulk_add_list": gettext_lazy("%(actor)s added %(changed)s of %(matched)s matching supporters to %(object)s."),
        "bulk_remove_list": gettext_lazy(
            "%(actor)s removed %(changed)s of %(matched)s matching supporters from %(object)s."
        ),
    },
    "flyer": {
        "create": gettext_lazy("%(actor)s created %(object)s."),
        "update": gettext_lazy("%(actor)s edited %(object)s."),
        "print_run": gettext_lazy("%(actor)s logged %(object)s of %(quantity)s copies."),
        "print_run_update": gettext_lazy("%(actor)s corrected %(object)s to %(quantity)s copies."),
        "drop": gettext_lazy("%(actor)s logged a drop of %(copies)s copies of %(object)s."),
        "drop_update": gettext_lazy("%(actor)s corrected a drop of %(object)s to %(copies)s copies."),
        "batch": gettext_lazy("%(actor)s made a print sheet of %(print_runs)s print runs for %(object)s."),
    },
    "ask": {
        "create": gettext_lazy("%(actor)s created %(object)s."),
        "edit": gettext_lazy("%(actor)s edited %(object)s."),
        "status": gettext_lazy("%(actor)s moved %(object)s from %(old)s to %(new)s."),
        "responses_view": gettext_lazy("%(actor)s viewed %(shown)s responses to %(object)s."),
        "responses_reveal": gettext_lazy(
            "%(actor)s revealed the emails and phones of %(shown)s responses to %(object)s."
        ),
        "response_confirm": gettext_lazy("%(actor)s confirmed by hand response #%(response)s to %(object)s."),
        "petition_pdf": gettext_lazy("%(actor)s downloaded %(object)s as a PDF naming %(named)s signers."),
        "door_list": gettext_lazy("%(actor)s opened the door list of %(object)s (%(shown)s attendees shown)."),
        "door_scan": gettext_lazy("%(actor)s opened the check-in of response #%(response)s to %(object)s."),
        "check_in": gettext_lazy("%(actor)s checked in response #%(response)s to %(object)s."),
    },
    "message": {
        "create": gettext_lazy("%(actor)s wrote %(object)s."),
        "edit": gettext_lazy("%(actor)s edited %(object)s."),
        "schedule": gettext_lazy("%(actor)s scheduled %(object)s."),
        "test_sent": gettext_lazy("%(actor)s sent a test of %(object)s."),
        "pause": gettext_lazy("%(actor)s paused %(object)s."),
        "resume": gettext_lazy("%(actor)s resumed %(object)s."),
        "cancel": gettext_lazy("%(actor)s cancelled %(object)s."),
    },
    "organisation": {
        "updated": gettext_lazy("%(actor)s updated the organisation's profile."),
    },
    "audit": {
        "export": gettext_lazy("%(actor)s exported %(count)s audit events as a spreadsheet."),
    },
    "outbox": {
        "viewed": gettext_lazy("%(actor)s opened the local outbox."),
        "downloaded": gettext_lazy("%(actor)s downloaded a mail from the local outbox."),
    },
}


def sentence_for(code):
    area, _dot, name = code.partition(".")
    return SENTENCES.get(area, {}).get(name)


def known_codes():
    return [f"{area}.{name}" for area, names in SENTENCES.items() for name in names]


class _Blanks(dict):
    def __missing__(self, key):
        return "…"


def action_label(code):
    """What the action filter offers for `code`: its sentence with blanks."""
    sentence = sentence_for(code)
    return str(sentence) % _Blanks() if sentence else code


def _detail_value(key, value):
    # Campaign statuses and roles are codes in the detail: show their translated names.
    if key in ("old", "new", "role"):
        if value in ROLE_LABELS:
            return str(ROLE_LABELS[value])
        return str(STATUS_LABELS.get(value, value))
    if isinstance(value, int | str):
        return str(value)
    return "…"


# Status codes a campaign or ask event may carry, translated in the "status" context campaigns and
# asks use for them (without it, "Open" would share the translation of the verb).
STATUS_LABELS = {
    "draft": pgettext_lazy("status", "Draft"),
    "open": pgettext_lazy("status", "Open"),
    "closed": pgettext_lazy("status", "Closed"),
    "planned": pgettext_lazy("status", "Planned"),
    "active": pgettext_lazy("status", "Active"),
    "completed": pgettext_lazy("status", "Completed"),
    "cancelled": pgettext_lazy("status", "Cancelled"),
}


def _model(label):
    try:
        return apps.get_model(label) if label else None
    except (LookupError, ValueError):
        return None


def describe(events):
    """[(event, sentence, link or None)] for a page of events. Objects are looked up once per
    kind; a link is given only where the object still exists and has a page."""
    wanted = {}
    for event in events:
        if event.object_type and event.object_id:
            wanted.setdefault(event.object_type, set()).add(event.object_id)
    existing, usernames = {}, {}
    for label, ids in wanted.items():
        model = _model(label)
        if model is None:
            continue
        pks = [i for i in ids if i.isdigit()]
        found = model._default_manager.filter(pk__in=pks)
        if label == _user_label():
            usernames = dict(found.values_list("pk", "username"))
            existing[label] = {str(pk): None for pk in usernames}
        else:
            existing[label] = {str(obj.pk): _url(obj) for obj in found}
    rows = []
    for event in events:
        obj_label = _object_label(event, usernames)
        values = _Blanks({key: _detail_value(key, value) for key, value in (event.detail or {}).items()})
        values["actor"] = event.actor_username or _("Someone")
        values["object"] = obj_label
        sentence = sentence_for(event.action)
        text = str(sentence) % values if sentence else f"{values['actor']}: {event.action} {obj_label}".strip()
        link = existing.get(event.object_type, {}).get(event.object_id)
        rows.append((event, text, link))
    return rows


def _user_label():
    from django.contrib.auth import get_user_model

    return get_user_model()._meta.label_lower


def _url(obj):
    getter = getattr(obj, "get_absolute_url", None)
    try:
        return getter() if getter else None
    except NoReverseMatch:  # a model whose page needs more than its pk
        return None


def _object_label(event, usernames):
    if not event.object_type:
        if (event.detail or {}).get("reason") == "unknown_username":
            return _("an unknown username")
        return ""
    if event.object_type == _user_label():
        name = usernames.get(int(event.object_id)) if event.object_id.isdigit() else None
        return name or _("member #%(id)s") % {"id": event.object_id}
    model = _model(event.object_type)
    kind = str(model._meta.verbose_name) if model is not None else event.object_type
    return _("%(kind)s #%(id)s") % {"kind": kind, "id": event.object_id}
