"""Tag names and contacts' city and neighbourhood are encrypted at rest (issue 11, finding 6);
filters, the import, the tags page, the export and key rotation keep working on them."""

import base64
import io
import os
import secrets

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from accounts.roles import ORGANIZER
from contacts import crypto
from contacts.export import rows as export_rows
from contacts.filters import apply_filters
from contacts.forms import TagForm
from contacts.importing import import_file
from contacts.models import Contact, Tag
from tests.factories import logged_in, make_user

from .helpers import a_list, make_contact, write_csv
from .test_database_dump import database_bytes, plaintext_variants


def planted_import(tmp_path, marker):
    lines = ["email,city,neighbourhood,tags"] + [
        f"p{i}.{marker}@example.org,PLANTCITY-{marker},PLANTHOOD-{marker},detainee-family-{marker}" for i in range(3)
    ]
    return import_file(write_csv(tmp_path / "planted.csv", lines), a_list("Planted"))


@pytest.mark.django_db(transaction=True)
def test_a_database_dump_after_the_demo_and_an_import_shows_no_tag_city_or_neighbourhood(tmp_path):
    from devtools import demo

    demo.load(io.StringIO())
    marker = secrets.token_hex(6)
    assert planted_import(tmp_path, marker).created == 3
    contact = make_contact(email=f"typed.{marker}@example.org", city=f"PLANTCITY-{marker}-typed")
    contact.neighbourhood = f"PLANTHOOD-{marker}-typed"
    contact.tags.add(Tag.objects.named(f"detainee-family-{marker}-typed"))
    contact.save()
    dump = database_bytes()
    planted = [f"PLANTCITY-{marker}", f"PLANTHOOD-{marker}", f"detainee-family-{marker}", marker]
    leaks = [s for s in planted for v in plaintext_variants(s) + plaintext_variants(s.lower()) if v in dump]
    assert leaks == []


@pytest.mark.django_db
def test_city_and_neighbourhood_filters_match_any_spelling_of_case_spaces_and_arabic():
    hama = make_contact(email="a@example.org", city="حماة", neighbourhood="Bab  Qebli")
    make_contact(email="b@example.org", city="حمص", neighbourhood="Bab Qebli")
    make_contact(email="c@example.org", city="Gaziantep")
    found = {
        "city": list(apply_filters(Contact.objects.all(), {"city": " حَماه "})),
        "both": list(apply_filters(Contact.objects.all(), {"city": "حماة", "neighbourhood": "BAB QEBLI"})),
        "nothing": list(apply_filters(Contact.objects.all(), {"city": "ـ"})),  # only a tatweel
    }
    assert found == {"city": [hama], "both": [hama], "nothing": []}


@pytest.mark.django_db
def test_the_contact_list_filters_by_city_and_tag():
    tagged = make_contact(email="a@example.org", city="Idlib")
    tagged.tags.add(Tag.objects.named("press"))
    make_contact(email="b@example.org", city="Idlib")
    make_contact(email="c@example.org", city="Aleppo").tags.add(Tag.objects.named("press"))
    client = logged_in(make_user(ORGANIZER))
    page = client.get(reverse("contacts:list"), {"city": "IDLIB", "tags": [Tag.objects.by_name("Press").pk]})
    assert [c.pk for c in page.context["contacts"]] == [tagged.pk]


@pytest.mark.django_db
def test_an_import_creates_one_tag_for_a_name_in_two_spellings_of_case(tmp_path):
    lines = ["email,tags"] + [
        f"{c}@example.org,{t}"
        for c, t in zip("abc", ["Detainee-Family", "detainee-family", "DETAINEE-FAMILY"], strict=True)
    ]
    import_file(write_csv(tmp_path / "a.csv", lines), a_list())
    again = write_csv(tmp_path / "b.csv", ["email,tags", "d@example.org,detainee-FAMILY"])
    import_file(again, a_list())
    tags = list(Tag.objects.all())
    assert [(t.name, t.contacts.count()) for t in tags] == [("Detainee-Family", 4)]


@pytest.mark.django_db
def test_a_new_tag_named_like_an_existing_one_in_other_case_is_refused_with_a_code():
    Tag.objects.named("Press")
    form = TagForm({"name": " PRESS "})
    assert not form.is_valid() and form.errors.as_data()["name"][0].code == "duplicate"


@pytest.mark.django_db
def test_the_tags_page_lists_tag_names_in_order_with_their_supporters():
    for name in ("youth", "Press", "متطوع"):
        Tag.objects.named(name)
    make_contact(email="a@example.org").tags.add(Tag.objects.by_name("press"))
    client = logged_in(make_user(ORGANIZER))
    client.post(reverse("contacts:tags"), {"name": "Arts"})
    rows = client.get(reverse("contacts:tags")).context["tags"]
    assert [(t.name, t.members) for t in rows] == [("Arts", 0), ("Press", 1), ("youth", 0), ("متطوع", 0)]


@pytest.mark.django_db
def test_the_edit_form_saves_the_city_and_neighbourhood_encrypted():
    contact = make_contact(email="a@example.org", city="Aleppo")
    client = logged_in(make_user(ORGANIZER))
    data = {"email": "a@example.org", "language": "ar", "city": "Idlib", "neighbourhood": "Downtown"}
    client.post(reverse("contacts:edit", args=[contact.pk]), data)
    contact = Contact.objects.get(pk=contact.pk)
    stored = Contact.objects.filter(pk=contact.pk).values_list("city_enc", "neighbourhood_enc").get()
    assert (contact.city, contact.neighbourhood, b"Idlib" in bytes(stored[0])) == ("Idlib", "Downtown", False)


@pytest.mark.django_db
def test_the_export_shows_the_city_neighbourhood_and_tags_in_clear():
    contact = make_contact(email="a@example.org", city="حلب", neighbourhood="الشعار")
    contact.tags.add(Tag.objects.named("youth"), Tag.objects.named("Press"))
    lines = list(export_rows(Contact.objects.all()))
    assert '"حلب","الشعار","subscribed","Press, youth"' in lines[1]


@pytest.mark.django_db
def test_rotating_the_key_re_encrypts_tag_names_and_places(settings):
    contact = make_contact(email="a@example.org", city="حلب", neighbourhood="الشعار")
    tag = Tag.objects.named("detainee-family")
    old = settings.HAMLA_ENCRYPTION_KEY.split(",")[0]
    settings.HAMLA_ENCRYPTION_KEY = f"{base64.urlsafe_b64encode(os.urandom(32)).decode()},{old}"
    call_command("rotate_encryption_key", stdout=io.StringIO())
    contact, tag = Contact.objects.get(pk=contact.pk), Tag.objects.get(pk=tag.pk)
    current = all(crypto.is_current(blob) for blob in (contact.city_enc, contact.neighbourhood_enc, tag.name_enc))
    found = apply_filters(Contact.objects.all(), {"city": "حلب"}).get()
    assert (current, contact.city, contact.neighbourhood, tag.name, found) == (
        True,
        "حلب",
        "الشعار",
        "detainee-family",
        contact,
    )


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_existing_labels_and_renames_a_tag_only_its_case_told_apart():
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("contacts", "0007_partial_consent_indexes")])
    old = executor.loader.project_state([("contacts", "0007_partial_consent_indexes")]).apps
    try:
        OldContact, OldTag = old.get_model("contacts", "Contact"), old.get_model("contacts", "Tag")
        pk = OldContact.objects.create(city="PLANTCITY-old", neighbourhood="PLANTHOOD-old").pk
        press, again = OldTag.objects.create(name="Press"), OldTag.objects.create(name="press")
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    contact = Contact.objects.get(pk=pk)
    stored = Contact.objects.filter(pk=pk).values_list("city_enc", flat=True).get()
    names = [Tag.objects.get(pk=press.pk).name, Tag.objects.get(pk=again.pk).name]
    found = apply_filters(Contact.objects.all(), {"neighbourhood": "planthood-OLD"}).get()
    assert (contact.city, found, names, b"PLANTCITY" in bytes(stored)) == (
        "PLANTCITY-old",
        contact,
        ["Press", f"press ({again.pk})"],
        False,
    )
