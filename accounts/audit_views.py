"""The audit log page (sentences, filters by person, action and date, pages of 50) and its
CSV export for admins (formula cells neutralised, never cached)."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.spreadsheets import line_writer, neutralise

from .audit_log import action_label, describe, known_codes
from .decorators import admin_required
from .models import AuditEvent, audit

PAGE_SIZE = 50


class AuditFilterForm(forms.Form):
    person = forms.ChoiceField(label=_("Person"), required=False)
    action = forms.ChoiceField(label=_("Action"), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = sorted(get_user_model().objects.values_list("username", flat=True))
        self.fields["person"].choices = [("", _("Everyone"))] + [(n, n) for n in names]
        recorded = AuditEvent.objects.order_by().values_list("action", flat=True).distinct()
        codes = sorted(set(known_codes()) | set(recorded))
        self.fields["action"].choices = [("", _("Every action"))] + [(c, action_label(c)) for c in codes]

    def filter(self, events):
        if not self.is_bound or not self.is_valid():
            return events
        data = self.cleaned_data
        if data["person"]:
            events = events.filter(actor_username=data["person"])
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["since"]:
            events = events.filter(created__date__gte=data["since"])
        if data["until"]:
            events = events.filter(created__date__lte=data["until"])
        return events


def _filtered(request):
    form = AuditFilterForm(request.GET or None)
    return form, form.filter(AuditEvent.objects.select_related("actor"))


@admin_required
def audit_log(request):
    form, events = _filtered(request)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "rows": describe(list(page)), "query": query.urlencode()}
    return render(request, "accounts/audit_log.html", context, status=400 if form.is_bound and form.errors else 200)


@admin_required
def audit_csv(request):
    """The filtered events as CSV (UTF-8 with BOM): time, who, action code, the sentence,
    object kind and id. Audited itself; `Cache-Control: no-store`."""
    form, events = _filtered(request)
    audit(request.user, "audit.export", count=events.count())
    writer = line_writer()

    def lines():
        yield "\ufeff"
        yield writer.writerow(["time", "who", "action", "sentence", "object_type", "object_id"])
        chunk = []
        for event in events.iterator(chunk_size=500):
            chunk.append(event)
            if len(chunk) == 500:
                yield from _rows(writer, chunk)
                chunk = []
        yield from _rows(writer, chunk)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="hamla-audit-{stamp}.csv"'
    response["Cache-Control"] = "no-store, private"
    return response


def _rows(writer, events):
    for event, sentence, _link in describe(events):
        when = timezone.localtime(event.created).isoformat(timespec="seconds")
        cells = [when, event.actor_username, event.action, sentence, event.object_type, event.object_id]
        yield writer.writerow([neutralise(c) for c in cells])
