"""The import pages: upload, the mapping step (a preview of the first rows with each
column's meaning, changeable before anything is written), the saved mappings (listed,
renamed, deleted), the job's progress and its error report. The import itself runs in
the worker (contacts/tasks.py)."""

import secrets
import uuid
from pathlib import Path
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.confirm import confirmed, render_confirmation
from accounts.decorators import organizer_required
from accounts.models import audit
from core.files import atomic_open

from . import confirmations
from .forms import ColumnsForm, ImportForm, MappingNameForm
from .importing import ImportFailed, Plan, inspect, read_rows
from .importing.mapping import BadMapping, find_header, matches, public
from .models import ContactList, ImportJob, ImportMapping
from .tasks import error_report_path, run_import

# Uploads waiting for their mapping step, in the session (the file itself is under
# VAR_DIR/imports, deleted by the sweep after an hour if no import starts): token ->
# path, names and what inspect() found. Column names only; never a cell of the file.
PENDING_KEY = "contacts.pending_imports"
PENDING_KEPT = 5
PREVIEW_ROWS = 5


@organizer_required
def import_upload(request):
    """Step one: the file is checked (wholly: encoding, records) and kept on disk; the
    mapping step (import_columns) shows its first rows before anything is written."""
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        folder = settings.VAR_DIR / "imports"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"upload-{uuid.uuid4().hex}.csv"
        with atomic_open(path) as out:  # owner-only from its first byte
            for chunk in data["file"].chunks():
                out.write(chunk)
        try:
            plan = inspect(path, data["encoding"], partial=True)
        except ImportFailed as exc:
            path.unlink(missing_ok=True)
            form.add_error("file", forms.ValidationError(str(exc), code=exc.code))
        else:
            token = _keep_pending(request, path, data, plan)
            audit(request.user, "contacts.import_upload", data["contact_list"], bytes=plan.size)
            return redirect("contacts:import_columns", token=token)
    jobs = ImportJob.objects.select_related("contact_list")[:10]
    status = 422 if form.is_bound else 200
    return render(request, "contacts/import.html", {"form": form, "jobs": jobs}, status=status)


def _keep_pending(request, path, data, plan):
    pending = dict(request.session.get(PENDING_KEY, {}))
    token = secrets.token_urlsafe(12)
    pending[token] = {
        "path": str(path),
        "file_name": data["file"].name[:255],
        "size": plan.size,
        "encoding": data["encoding"],
        "detected_encoding": plan.encoding,
        "delimiter": plan.delimiter,
        "header": plan.header,
        "columns": plan.columns,
        "list": data["contact_list"].pk if data["contact_list"] else None,
        "new_list": (data["new_list"] or "").strip(),
    }
    for old in list(pending)[:-PENDING_KEPT]:  # abandoned steps: their files go too
        Path(pending.pop(old)["path"]).unlink(missing_ok=True)
    request.session[PENDING_KEY] = pending
    return token


def _forget_pending(request, token, delete=False):
    pending = dict(request.session.get(PENDING_KEY, {}))
    entry = pending.pop(token, None)
    request.session[PENDING_KEY] = pending
    if delete and entry:
        Path(entry["path"]).unlink(missing_ok=True)


def _preview(entry):
    """The first PREVIEW_ROWS records of the upload, read from the file for this page only."""
    plan = Plan(entry["detected_encoding"], entry["delimiter"], {}, [], entry["size"])
    rows = []
    try:
        for _first, _line, cells, _position in read_rows(entry["path"], plan):
            rows.append(cells)
            if len(rows) >= PREVIEW_ROWS:
                break
    except (ImportFailed, OSError):
        pass  # the worker's inspect() says what is wrong, if anything still is
    return rows


def _initial_fields(entry, saved):
    """index -> field: what was detected, then what the saved mapping `saved` says."""
    header = entry["header"]
    fields = {index: public(key) for key, index in entry["columns"].items()}
    for name, field in (saved.columns if saved else {}).items():
        try:
            fields[find_header(header, name)] = field
        except BadMapping:
            continue
    return fields


@organizer_required
def import_columns(request, token):
    """Step two, the mapping step: a preview of the first rows with each column's meaning
    (detected, from a saved mapping, or chosen here); starting the import queues the job
    with the columns as mapped. Audited: the page shows supporters' data."""
    entry = request.session.get(PENDING_KEY, {}).get(token)
    if entry is None:
        raise Http404
    if not Path(entry["path"]).exists() or request.POST.get("cancel"):
        _forget_pending(request, token, delete=True)
        if not request.POST.get("cancel"):
            messages.error(request, _("That upload has expired; upload the file again."))
        return redirect("contacts:import")
    header = entry["header"]
    saved = list(ImportMapping.objects.all())
    wanted = request.GET.get("mapping", "")
    chosen = next((m for m in saved if str(m.pk) == wanted), None) if wanted else None
    if chosen is None and not wanted:
        chosen = next((m for m in saved if matches(m.headers, header)), None)
    initial = _initial_fields(entry, chosen)
    form = ColumnsForm(request.POST or None, header=header, initial_fields=initial)
    contact_list = ContactList.objects.filter(pk=entry["list"]).first() if entry["list"] else None
    if entry["list"] and contact_list is None:
        _forget_pending(request, token, delete=True)
        messages.error(request, _("The list was deleted meanwhile; upload the file again."))
        return redirect("contacts:import")
    if request.method == "POST" and form.is_valid():
        detected = _initial_fields(entry, None)
        mapping = {
            name: field
            for index, name, bound in form.column_fields()
            if bound is not None and (field := form.cleaned_data[bound.name]) != detected.get(index, "ignore")
        }
        return _start_import(request, token, entry, contact_list, mapping, form)
    rows = _preview(entry)
    audit(request.user, "contacts.import_preview", contact_list, rows=len(rows), columns=len(header))
    columns = [
        (name, bound, [row[index] for row in rows if index < len(row)]) for index, name, bound in form.column_fields()
    ]
    context = {
        "form": form,
        "entry": entry,
        "contact_list": contact_list,
        "columns": columns,
        "saved": saved,
        "chosen": chosen,
        "token": token,
        "no_contact_column": not ({"email", "phone"} & set(entry["columns"])),
    }
    return render(request, "contacts/import_columns.html", context, status=422 if form.is_bound else 200)


def _start_import(request, token, entry, contact_list, mapping, form):
    with transaction.atomic():
        if contact_list is None:
            contact_list, _created = ContactList.objects.get_or_create(name=entry["new_list"])
        name = form.cleaned_data["save_as"].strip()
        if name:
            # The name as the mapping pages keep it, regardless of case (MappingNameForm): saving
            # "google" over "Google" replaces it rather than adding a second that reads the same.
            fields = {"columns": form.mapping(), "headers": entry["header"], "created_by": request.user}
            saved, _created = ImportMapping.objects.update_or_create(
                name__iexact=name, defaults=fields, create_defaults={**fields, "name": name}
            )
            audit(request.user, "contacts.import_mapping_save", saved, columns=len(saved.columns))
        job = ImportJob.objects.create(
            contact_list=contact_list,
            file_name=entry["file_name"],
            path=entry["path"],
            size=entry["size"],
            encoding=entry["encoding"],
            mapping=mapping,
            language=translation.get_language() or settings.LANGUAGE_CODE,
            created_by=request.user,
        )
        transaction.on_commit(lambda: run_import.delay(job.pk))
    _forget_pending(request, token)
    audit(request.user, "contacts.import_start", job, list=contact_list.pk, bytes=job.size, mapped=len(mapping))
    return redirect(job)


# --- saved mappings --------------------------------------------------------------------

HEADERS_LISTED = 6


def _upload_of(request):
    """The upload whose mapping step led here (?upload=<token>) while it still waits in this
    session: these pages lead back to it, so managing the mappings does not lose the file."""
    token = request.GET.get("upload", "")
    return token if token in request.session.get(PENDING_KEY, {}) else ""


def _with_upload(url, token):
    return f"{url}?{urlencode({'upload': token})}" if token else url


@organizer_required
def import_mappings(request):
    """The saved mappings: the columns each is for (names only, no data), who saved it, when."""
    rows = []
    for mapping in ImportMapping.objects.select_related("created_by"):
        named = [header for header in mapping.headers if header.strip()]
        rows.append((mapping, named[:HEADERS_LISTED], max(len(named) - HEADERS_LISTED, 0)))
    upload = _upload_of(request)
    return render(request, "contacts/import_mappings.html", {"rows": rows, "upload": upload})


@organizer_required
def import_mapping(request, pk):
    """One saved mapping's columns; renaming it, and deleting it through the confirmation
    step. Imports already made keep their own copy of the columns (ImportJob.mapping)."""
    mapping = get_object_or_404(ImportMapping.objects.select_related("created_by"), pk=pk)
    upload = _upload_of(request)
    listing = _with_upload(reverse("contacts:import_mappings"), upload)
    if request.method == "POST" and request.POST.get("delete"):
        if not confirmed(request, "delete"):
            here = _with_upload(mapping.get_absolute_url(), upload)
            return render_confirmation(request, confirmations.import_mapping_delete(mapping, here))
        audit(request.user, "contacts.import_mapping_delete", mapping, columns=len(mapping.columns))
        mapping.delete()
        messages.success(request, _("Mapping deleted. The imports made with it are unchanged."))
        return redirect(listing)
    form = MappingNameForm(request.POST or None, mapping=mapping, initial={"name": mapping.name})
    if request.method == "POST" and form.is_valid() and _rename(request, mapping, form):
        return redirect(listing)
    context = {"mapping": mapping, "form": form, "upload": upload, "listing": listing}
    return render(request, "contacts/import_mapping.html", context, status=400 if form.is_bound else 200)


def _rename(request, mapping, form):
    """True when renamed (or the name is unchanged); False with the form's error otherwise."""
    name = form.cleaned_data["name"]
    if name == mapping.name:
        return True
    try:
        with transaction.atomic():
            ImportMapping.objects.filter(pk=mapping.pk).update(name=name)
    except IntegrityError:  # taken between the form's check and this write
        form.add_error("name", forms.ValidationError(form.duplicate, code="duplicate"))
        return False
    audit(request.user, "contacts.import_mapping_rename", mapping, columns=len(mapping.columns))
    messages.success(request, _("Mapping renamed."))
    return True


@organizer_required
def import_job(request, pk):
    job = get_object_or_404(ImportJob.objects.select_related("contact_list"), pk=pk)
    return render(request, "contacts/import_job.html", {"job": job})


@organizer_required
def import_status(request, pk):
    job = get_object_or_404(ImportJob, pk=pk)
    return JsonResponse(
        {
            "state": job.state,
            "percent": job.percent,
            "finished": job.is_finished,
            "created": job.created_count,
            "updated": job.updated_count,
            "skipped": job.skipped_count,
            "errors": job.error_count,
        }
    )


@organizer_required
def import_errors(request, pk):
    job = get_object_or_404(ImportJob, pk=pk)
    path = error_report_path(job)
    if not path.exists():
        raise Http404
    return FileResponse(open(path, "rb"), as_attachment=True, filename=f"import-{job.pk}-errors.csv")  # noqa: SIM115
