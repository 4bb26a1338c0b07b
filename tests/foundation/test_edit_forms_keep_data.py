"""Saving an edit form unchanged changes nothing, for every edit form of the demo data beyond
campaigns and actions (tests/campaigns/test_edit_forms_keep_history.py): flyers, print runs
and their drops, supporters (as an admin), lists, segments, draft newsletters and the
organisation's profile. GET each form, POST back exactly what it shows, compare the rows."""

import io

import pytest
from django import forms
from django.urls import reverse

from contacts.models import Contact, ContactList, Segment
from devtools.demo import load
from flyers.models import Drop, Flyer, PrintRun
from messaging.models import Message
from organisation.models import Organisation
from tests.factories import admin_client
from tests.flyers.factories import image_bytes, make_run

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_cache(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def shown_data(form):
    """What a browser posts back for `form` as rendered: each field's shown value."""
    data = {}
    for name, field in form.fields.items():
        if isinstance(field, forms.FileField):
            continue  # no file chosen: the stored one is kept
        value = form[name].value()
        key = form.add_prefix(name)
        if value is None or value is False:
            continue
        if value is True:
            data[key] = "on"
        elif isinstance(value, list | tuple):
            data[key] = [str(v) for v in value]
        elif (shown := field.widget.format_value(value)) is not None:
            # A browser posts a textarea's line breaks as CRLF.
            data[key] = shown.replace("\n", "\r\n") if isinstance(field.widget, forms.Textarea) else shown
    return data


def resubmit(client, url, forms=("form",)):
    """GET the page and POST back what its forms show; the save must succeed."""
    context = client.get(url).context
    data = {}
    for name in forms:
        data.update(shown_data(context[name]))
    response = client.post(url, data)
    assert response.status_code == 302, response.context and {n: response.context[n].errors for n in forms}


def row(obj, skip=()):
    """Every stored column but timestamps that track saves (auto_now)."""
    values = {}
    for f in obj._meta.concrete_fields:
        if getattr(f, "auto_now", False) or f.name in skip:
            continue
        value = getattr(obj, f.attname)
        values[f.name] = bytes(value) if isinstance(value, memoryview) else value
    return values


def supporter(contact):
    """A supporter as people read it: decrypted fields (ciphertexts change on every save)."""
    fields = ("given_name", "family_name", "email", "phone", "notes", "city", "neighbourhood")
    values = {name: getattr(contact, name) for name in fields}
    values.update(row(contact, skip={f"{name}_enc" for name in fields}))
    values["lists"] = sorted(contact.memberships.values_list("contact_list_id", "subscribed"))
    values["tags"] = sorted(tag.name for tag in contact.tags.all())
    return values


def snapshot():
    return {
        "flyers": {f.pk: row(f) for f in Flyer.objects.all()},
        "runs": {r.pk: row(r) for r in PrintRun.objects.all()},
        "drops": {d.pk: row(d) for d in Drop.objects.all()},
        "contacts": {c.pk: supporter(c) for c in Contact.objects.all()},
        "lists": {cl.pk: row(cl, skip={"name_enc"}) | {"name": cl.name} for cl in ContactList.objects.all()},
        "segments": {s.pk: row(s) for s in Segment.objects.all()},
        "messages": {
            m.pk: row(m) | {"lists": sorted(m.lists.values_list("pk", flat=True))} for m in Message.objects.all()
        },
        "organisation": row(Organisation.current()),
    }


@pytest.fixture
def demo():
    load(io.StringIO())
    flyer = Flyer.objects.first()
    flyer.logo = image_bytes()  # a flyer with its own logo: saving must not drop it
    flyer.body_en = "Saturday at 9.\nBring gloves.\n"  # line breaks, and one at the end
    flyer.save()
    contact = Contact.objects.first()
    contact.notes = "Met at the clean-up.\nPrefers WhatsApp."
    contact.save()
    run = make_run(flyer, quantity=300, date="2011-10-01")
    run.drops.create(place="Bustan al-Qasr", city="Aleppo", copies=120, date="2011-10-02")
    Segment.objects.create(name="Arabic readers", filters={"language": ["ar"]})


def test_every_other_edit_form_of_the_demo_data_saved_unchanged_changes_nothing(demo):
    client = admin_client()
    before = snapshot()
    assert all(before[kind] for kind in ("flyers", "runs", "drops", "contacts", "lists", "segments", "messages"))
    for flyer in Flyer.objects.all():
        resubmit(client, reverse("flyers:edit", args=[flyer.pk]))
    for run in PrintRun.objects.all():
        resubmit(client, reverse("flyers:run", args=[run.code]), forms=("run_form",))
        for drop in run.drops.all():
            resubmit(client, reverse("flyers:drop", args=[run.code, drop.pk]))
    for contact in Contact.objects.all():
        resubmit(client, reverse("contacts:edit", args=[contact.pk]))
    for contact_list in ContactList.objects.all():
        resubmit(client, reverse("contacts:list_edit", args=[contact_list.pk]))
    for segment in Segment.objects.all():
        resubmit(client, reverse("contacts:segment", args=[segment.pk]), forms=("form", "filter_form"))
    for message in Message.objects.filter(status=Message.Status.DRAFT):
        resubmit(client, reverse("messaging:edit", args=[message.pk]))
    resubmit(client, reverse("accounts:organisation"))
    assert snapshot() == before
