import secrets

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Q
from django.http import JsonResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.confirm import confirmed, render_confirmation
from accounts.decorators import admin_required, organizer_required
from accounts.models import audit
from accounts.roles import is_admin

from . import bulk, confirmations, crypto, export
from .filters import apply_filters
from .forms import BulkForm, ContactForm, ExportForm, FilterForm, ListForm, SegmentForm, TagForm
from .masking import mask_email, mask_phone
from .models import ConsentEvent, Contact, ContactList, Membership, Segment, Tag

PAGE_SIZE = 50
# Name search decrypts candidates in Python (names have no index, on purpose: keyed
# name tokens would let a dump reveal which supporters share a name). It scans the
# newest NAME_SEARCH_CAP contacts of the current filters and says so when there are more.
NAME_SEARCH_CAP = 5000
COUNT_CAP = 10_000
EDITED_FIELDS = [
    "given_name_enc",
    "family_name_enc",
    "email_enc",
    "email_hash",
    "phone_enc",
    "phone_hash",
    "phone_verified",
    "notes_enc",
    "language",
    "city",
    "neighbourhood",
    "updated",
]


# Searches (an email, a phone, a city) never travel in a URL, where they would stay in the
# browser's history and cache and in proxies' logs: the search form is POSTed, kept in the
# session under a random id, and the list is shown at /contacts/?s=<id>.
SEARCHES_KEY = "contacts.searches"
SEARCHES_KEPT = 20
SEARCH_FIELDS = ("q", *FilterForm.base_fields)


def _save_search(request, data):
    """Keep the search in `data` in the session; its id, or "" for an empty search."""
    params = QueryDict(mutable=True)
    for key in SEARCH_FIELDS:
        values = [value for value in data.getlist(key) if value.strip()]
        if values:
            params.setlist(key, values)
    if not params:
        return ""
    saved = dict(request.session.get(SEARCHES_KEY, {}))
    search_id = secrets.token_urlsafe(9)
    saved[search_id] = params.urlencode()
    for old in list(saved)[:-SEARCHES_KEPT]:
        del saved[old]
    request.session[SEARCHES_KEY] = saved
    return search_id


def _search_params(request):
    """The search to show: a saved one named by ?s=, else plain GET filters (ids, dates);
    None when the saved search is no longer in the session."""
    search_id = request.GET.get("s", "")
    if not search_id:
        return request.GET.copy(), ""
    stored = request.session.get(SEARCHES_KEY, {}).get(search_id)
    return (None, "") if stored is None else (QueryDict(stored, mutable=True), search_id)


def _filtered(params):
    form = FilterForm(params or None)
    filters = form.filters() if params else {}
    return form, filters, apply_filters(Contact.objects.all(), filters)


def _masked(contacts, user):
    """Organizers see lists with masked email and phone; admins see them whole."""
    full = is_admin(user)
    for contact in contacts:
        contact.shown_email = contact.email if full else mask_email(contact.email)
        contact.shown_phone = contact.phone if full else mask_phone(contact.phone)
    return contacts


def _filter_error(form):
    if form.is_bound and not form.is_valid():
        return _("Some filters could not be applied (a list or tag may have been deleted); no one is shown.")
    return ""


def _matching(params):
    """(filter form, contacts matching the filters and the search `q` in `params`, q, note)."""
    form, _filters, contacts = _filtered(params)
    q = params.get("q", "").strip()
    note = ""
    if q and "@" in q:
        contacts = contacts.filter(email_hash=crypto.blind_index(q, "email") or "-")
    elif q and (phone := crypto.phone_key(q)):  # any spelling: marks, slashes, other digits
        contacts = contacts.filter(phone_hash=crypto.blind_index(phone, "phone", normalised=True))
    elif q:
        needle = crypto.normalise_name(q)
        candidates = list(contacts.only("id", "given_name_enc", "family_name_enc")[: NAME_SEARCH_CAP + 1])
        if len(candidates) > NAME_SEARCH_CAP:
            note = _(
                "Name search looked at the newest %(cap)s matching contacts only; narrow the filters to search further."
            ) % {"cap": NAME_SEARCH_CAP}
        ids = [c.pk for c in candidates[:NAME_SEARCH_CAP] if needle in crypto.normalise_name(c.full_name)]
        contacts = Contact.objects.filter(pk__in=ids)
    return form, contacts, q, note or _filter_error(form)


@organizer_required
def contact_list(request):
    if request.method == "POST" or "q" in request.GET:  # a search, or an old link carrying one
        search_id = _save_search(request, request.POST if request.method == "POST" else request.GET)
        url = reverse("contacts:list")
        return redirect(f"{url}?s={search_id}" if search_id else url)
    params, search_id = _search_params(request)
    expired = ""
    if params is None:
        params, expired = QueryDict(mutable=True), _("That search has expired; search again.")
    after = request.GET.get("after", "")
    params.pop("after", None)
    form, contacts, q, search_note = _matching(params)
    # Counting stops at COUNT_CAP: an exact count(*) over 100k wide rows costs more than
    # the rest of the page, and "more than 10,000" is all a person needs to know.
    total = contacts[: COUNT_CAP + 1].count()
    if after.isdigit():
        contacts = contacts.filter(pk__lt=int(after))
    page = list(contacts.order_by("-pk")[: PAGE_SIZE + 1])
    has_next = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    if page:
        audit(request.user, "contacts.list_view", None, shown=len(page), first=page[0].pk, last=page[-1].pk)
    _masked(page, request.user)
    return render(
        request,
        "contacts/contact_list.html",
        {
            "form": form,
            "contacts": page,
            "total": min(total, COUNT_CAP),
            "total_capped": total > COUNT_CAP,
            "q": q,
            "search_note": expired or search_note,
            "next_after": page[-1].pk if has_next else None,
            "querystring": f"s={search_id}" if search_id else params.urlencode(),
            "selection": _selection_fields(search_id, params),
            "bulk_form": BulkForm(),
            "is_first_page": not after,
        },
    )


def _selection_fields(search_id, params):
    """The hidden fields that name the list's current selection to the bulk form: the saved
    search's id, or the plain filters (ids and dates) the page was opened with."""
    if search_id:
        return [("s", search_id)]
    return [(key, value) for key in SEARCH_FIELDS if key != "q" for value in params.getlist(key)]


@organizer_required
def contact_detail(request, pk):
    """A supporter's page. Organizers see the email and phone masked until they press
    "Show", a POST that is audited and shows them in that response only; admins see them."""
    contact = get_object_or_404(Contact, pk=pk)
    events = contact.consent_events.select_related("campaign", "print_run", "contact_list", "actor")[:200]
    revealed = request.method == "POST" and "reveal" in request.POST
    if request.method not in ("GET", "HEAD") and not revealed:
        return redirect(contact)
    audit(request.user, "contact.reveal" if revealed else "contact.view", contact)
    full = revealed or is_admin(request.user)
    return render(
        request,
        "contacts/contact_detail.html",
        {
            "contact": contact,
            "shown_email": contact.email if full else mask_email(contact.email),
            "shown_phone": contact.phone if full else mask_phone(contact.phone),
            "masked": not full,
            "revealed": revealed,
            "events": events,
            "memberships": contact.memberships.select_related("contact_list"),
            "tags": contact.tags.all(),
        },
    )


@organizer_required
def contact_edit(request, pk=None):
    contact = get_object_or_404(Contact, pk=pk) if pk else Contact(source="organizer")
    if request.method == "POST":
        form = ContactForm(request.POST, contact=contact)
        if form.is_valid():
            data = form.cleaned_data
            with transaction.atomic():
                for name in ("given_name", "family_name", "email", "phone", "notes"):
                    setattr(contact, name, data[name])
                contact.language, contact.city, contact.neighbourhood = (
                    data["language"],
                    data["city"],
                    data["neighbourhood"],
                )
                new = contact.pk is None
                # Only what the form edits: an unsubscribe or bounce recorded meanwhile stays.
                contact.save(update_fields=None if new else EDITED_FIELDS)
                if new:
                    ConsentEvent.objects.create(
                        contact=contact, kind=ConsentEvent.Kind.SUBSCRIBED, method="organizer", actor=request.user
                    )
                _set_lists(contact, data["lists"], request.user)
                contact.tags.set(data["tags"])
            audit(request.user, "contact.create" if new else "contact.edit", contact)
            messages.success(request, _("Saved."))
            return redirect(contact)
    else:
        initial = {"language": "ar"}
        if contact.pk:
            audit(request.user, "contact.view", contact, form="edit")
            initial = {
                name: getattr(contact, name)
                for name in (
                    "given_name",
                    "family_name",
                    "email",
                    "phone",
                    "notes",
                    "language",
                    "city",
                    "neighbourhood",
                )
            }
            initial["lists"] = list(contact.memberships.filter(subscribed=True).values_list("contact_list", flat=True))
            initial["tags"] = list(contact.tags.values_list("pk", flat=True))
        form = ContactForm(initial=initial, contact=contact)
    return render(request, "contacts/contact_form.html", {"form": form, "contact": contact})


def _set_lists(contact, wanted, actor):
    """Join the ticked lists; unticked ones are left (membership kept with subscribed=False
    and a LIST_LEFT event), never deleted, so a later import cannot silently re-add them."""
    wanted = set(wanted)
    current = {m.contact_list: m for m in contact.memberships.select_related("contact_list")}
    for contact_list in wanted:
        membership = current.get(contact_list)
        if membership is None:
            Membership.objects.create(contact=contact, contact_list=contact_list)
        elif not membership.subscribed:
            membership.subscribed = True
            membership.save(update_fields=["subscribed"])
    for contact_list, membership in current.items():
        if membership.subscribed and contact_list not in wanted:
            contact.leave_list(contact_list, method="organizer", actor=actor)


@organizer_required
@require_POST
def contact_unsubscribe(request, pk):
    contact = get_object_or_404(Contact, pk=pk)
    if contact.unsubscribe("organizer", actor=request.user):
        audit(request.user, "contact.unsubscribe", contact)
        messages.success(request, _("The contact will receive no more newsletters."))
    return redirect(contact)


@organizer_required
def contact_erase(request, pk):
    contact = get_object_or_404(Contact, pk=pk)
    if request.method == "POST":
        if request.POST.get("confirm") != "erase":
            messages.error(request, _("Tick the box to confirm."))
            return redirect("contacts:erase", pk=pk)
        contact.erase(request.user)
        messages.success(request, _("The contact was erased. Only anonymous counts remain."))
        return redirect("contacts:list")
    return render(request, "contacts/contact_erase.html", {"contact": contact})


# --- lists and tags ------------------------------------------------------------------


@organizer_required
def lists(request):
    form = ListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = form.save()
        audit(request.user, "contacts.list_create", created)
        return redirect("contacts:lists")
    rows = ContactList.objects.annotate(members=Count("memberships", filter=Q(memberships__subscribed=True))).order_by(
        "name"
    )
    return render(request, "contacts/lists.html", {"form": form, "lists": rows})


@organizer_required
def list_edit(request, pk):
    contact_list = get_object_or_404(ContactList, pk=pk)
    if request.method == "POST" and request.POST.get("delete"):
        if not confirmed(request, "delete"):
            return render_confirmation(request, confirmations.list_delete(contact_list))
        audit(request.user, "contacts.list_delete", contact_list)
        contact_list.delete()
        messages.success(request, _("List deleted. Its contacts were kept."))
        return redirect("contacts:lists")
    form = ListForm(request.POST or None, instance=contact_list)
    if request.method == "POST" and form.is_valid():
        form.save()
        return redirect("contacts:lists")
    return render(request, "contacts/list_form.html", {"form": form, "contact_list": contact_list})


@organizer_required
def tags(request):
    if request.method == "POST" and request.POST.get("delete"):
        tags_ = Tag.objects.annotate(members=Count("contacts"))
        tag = get_object_or_404(tags_, pk=confirmations.pk_of(request.POST["delete"]))
        if not confirmed(request, "delete"):
            return render_confirmation(request, confirmations.tag_delete(tag))
        audit(request.user, "contacts.tag_delete", tag, supporters=tag.members)
        tag.delete()
        messages.success(request, _("Tag deleted. Its supporters were kept."))
        return redirect("contacts:tags")
    form = TagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        return redirect("contacts:tags")
    rows = Tag.objects.sorted(Tag.objects.annotate(members=Count("contacts")))  # names are encrypted
    return render(request, "contacts/tags.html", {"form": form, "tags": rows})


# --- segments ------------------------------------------------------------------------


@organizer_required
def segments(request):
    rows = [(segment, segment.contacts().count()) for segment in Segment.objects.all()]
    return render(request, "contacts/segments.html", {"segments": rows})


@organizer_required
def segment_edit(request, pk=None):
    segment = get_object_or_404(Segment, pk=pk) if pk else None
    if request.method == "POST":
        if segment and request.POST.get("delete"):
            if not confirmed(request, "delete"):
                return render_confirmation(request, confirmations.segment_delete(segment))
            audit(request.user, "contacts.segment_delete", segment)
            segment.delete()
            messages.success(request, _("Segment deleted. No supporter was changed."))
            return redirect("contacts:segments")
        filter_form = FilterForm(request.POST)
        form = SegmentForm(request.POST, instance=segment)
        if filter_form.is_valid() and form.is_valid():
            saved = form.save(commit=False)
            saved.filters = filter_form.filters()
            if segment is None:  # the creator, once: saving someone's segment does not make it yours
                saved.created_by = request.user
            saved.save()
            audit(request.user, "contacts.segment_save", saved, count=saved.contacts().count())
            messages.success(request, _("Segment saved."))
            return redirect(saved)
    else:
        if request.GET:
            filter_form = FilterForm(request.GET)
        else:
            filter_form = FilterForm(initial=FilterForm.initial_from(segment.filters if segment else {}))
        form = SegmentForm(instance=segment)
    filters = filter_form.filters() if filter_form.is_bound else (segment.filters if segment else {})
    count = apply_filters(Contact.objects.all(), filters).count()
    return render(
        request,
        "contacts/segment_form.html",
        {"form": form, "filter_form": filter_form, "segment": segment, "count": count},
    )


@organizer_required
def segment_count(request):
    form = FilterForm(request.GET)
    contacts = apply_filters(Contact.objects.all(), form.filters())
    return JsonResponse(
        {"count": contacts.count(), "sendable": contacts.filter(status__in=Contact.Status.SENDABLE).count()}
    )


# --- bulk actions ---------------------------------------------------------------------


def _posted_selection(request):
    """The selection a bulk form names: (params, search id), or (None, "") when its saved
    search is no longer in the session."""
    search_id = request.POST.get("s", "")
    if search_id:
        stored = request.session.get(SEARCHES_KEY, {}).get(search_id)
        return (None, "") if stored is None else (QueryDict(stored, mutable=True), search_id)
    params = QueryDict(mutable=True)
    for key in SEARCH_FIELDS:
        if key != "q" and request.POST.getlist(key):
            params.setlist(key, request.POST.getlist(key))
    return params, ""


@organizer_required
@require_POST
def contact_bulk(request):
    """Tag, add to a list or remove from a list every supporter the list page's filters
    match (not only the page shown). A first POST shows how many that is and asks for a
    confirmation; the confirmed POST does it in one statement and is audited with counts."""
    params, search_id = _posted_selection(request)
    back = reverse("contacts:list") + (f"?s={search_id}" if search_id else f"?{params.urlencode()}" if params else "")
    if params is None:
        messages.error(request, _("That search has expired; search again."))
        return redirect("contacts:list")
    form = BulkForm(request.POST)
    filter_form, contacts, _q, note = _matching(params)
    if not form.is_valid() or (filter_form.is_bound and not filter_form.is_valid()):
        errors = [str(e) for field in form.errors.values() for e in field] or [note]
        messages.error(request, " ".join(errors))
        return redirect(back)
    action, target = form.cleaned_data["action"], form.target
    if request.POST.get("confirm") != "yes":
        return render(
            request,
            "contacts/bulk_confirm.html",
            {
                "count": contacts.count(),
                "action": action,
                "target": target,
                "fields": [
                    *_selection_fields(search_id, params),
                    ("action", action),
                    ("tag" if action == "tag" else "contact_list", target.pk),
                ],
                "back": back,
            },
        )
    matched = contacts.count()
    changed = bulk.apply(action, contacts, target)
    audit(request.user, f"contacts.bulk_{action}", target, matched=matched, changed=changed)
    messages.success(
        request,
        ngettext(
            "Done: %(changed)s of %(matched)s supporter changed (the others needed no change).",
            "Done: %(changed)s of %(matched)s supporters changed (the others needed no change).",
            matched,
        )
        % {"changed": changed, "matched": matched},
    )
    return redirect(back)


# --- export ---------------------------------------------------------------------------


@admin_required
def export_contacts(request):
    """A list's or a saved segment's supporters as CSV (admins only), audited."""
    form = ExportForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "contacts/export.html", {"form": form}, status=400)
        source = form.cleaned_data["contact_list"] or form.cleaned_data["segment"]
        if form.cleaned_data["segment"]:
            contacts, name = export.contacts_of_segment(source), f"segment-{source.pk}"
        else:
            contacts, name = export.contacts_of_list(source), str(source.pk)
        audit(request.user, "contacts.export", source, count=contacts.count(), via="web")
        response = StreamingHttpResponse(export.rows(contacts), content_type="text/csv; charset=utf-8")
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="contacts-{name}-{stamp}.csv"'
        return response
    return render(request, "contacts/export.html", {"form": form})
