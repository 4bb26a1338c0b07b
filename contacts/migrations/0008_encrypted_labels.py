"""Tag names and contacts' city and neighbourhood move to encrypted columns with a blind
index each (contacts/labels.py); the clear columns are dropped.

The data step runs between adding the new columns and dropping the old ones, on the
historical models, in batches, with the keyring of HAMLA_ENCRYPTION_KEY. Two tags whose
names normalise alike ("Press" and "press") cannot both keep their name under the
unique blind index: the later one is renamed "<name> (<id>)" (nothing is merged or
lost; an organizer can merge them). Reversible: going back decrypts into the old columns.
"""

from django.db import migrations, models

from contacts import crypto
from contacts.labels import clean_label, label_index

BATCH = 1000


def _batches(queryset):
    last = 0
    while True:
        rows = list(queryset.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not rows:
            return
        yield rows
        last = rows[-1][0] if isinstance(rows[-1], tuple) else rows[-1].pk


def encrypt_labels(apps, schema_editor):
    Tag = apps.get_model("contacts", "Tag")
    Contact = apps.get_model("contacts", "Contact")
    taken = set()
    for tags in _batches(Tag.objects.all()):
        for tag in tags:
            name = clean_label(tag.name) or f"tag {tag.pk}"
            digest = label_index(name, "tag")
            if digest in taken:
                name = f"{name} ({tag.pk})"
                digest = label_index(name, "tag")
            taken.add(digest)
            tag.name_enc, tag.name_hash = crypto.encrypt(name), digest
        Tag.objects.bulk_update(tags, ["name_enc", "name_hash"])
    # One UPDATE a contact, sent as a batch (bulk_update's CASE over 1000 ids costs more).
    table = schema_editor.quote_name(Contact._meta.db_table)
    sql = f"UPDATE {table} SET city_enc = %s, city_hash = %s, neighbourhood_enc = %s, neighbourhood_hash = %s WHERE id = %s"  # noqa: S608, E501
    ring, indexes = crypto.keyring(), {}

    def index(value, kind):
        if (kind, value) not in indexes:
            if len(indexes) >= 10_000:
                indexes.clear()
            indexes[kind, value] = label_index(value, kind, ring)
        return indexes[kind, value]

    placed = Contact.objects.exclude(city="", neighbourhood="").values_list("pk", "city", "neighbourhood")
    for contacts in _batches(placed):
        params = []
        for pk, city, neighbourhood in contacts:
            city, neighbourhood = clean_label(city), clean_label(neighbourhood)
            params.append(
                (
                    ring.encrypt(city),
                    index(city, "city"),
                    ring.encrypt(neighbourhood),
                    index(neighbourhood, "neighbourhood"),
                    pk,
                )
            )
        with schema_editor.connection.cursor() as cursor:
            cursor.executemany(sql, params)


def decrypt_labels(apps, schema_editor):
    Tag = apps.get_model("contacts", "Tag")
    Contact = apps.get_model("contacts", "Contact")
    for tags in _batches(Tag.objects.all()):
        for tag in tags:
            tag.name = crypto.decrypt(tag.name_enc)[:60]
        Tag.objects.bulk_update(tags, ["name"])
    placed = Contact.objects.exclude(city_hash=None, neighbourhood_hash=None)
    for contacts in _batches(placed.only("pk", "city_enc", "neighbourhood_enc")):
        for contact in contacts:
            contact.city = crypto.decrypt(contact.city_enc)[:100]
            contact.neighbourhood = crypto.decrypt(contact.neighbourhood_enc)[:100]
        Contact.objects.bulk_update(contacts, ["city", "neighbourhood"])


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0007_partial_consent_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="tag",
            name="name_enc",
            field=models.BinaryField(default=b"", editable=False),
        ),
        migrations.AddField(
            model_name="tag",
            name="name_hash",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.AddField(
            model_name="contact",
            name="city_enc",
            field=models.BinaryField(default=b"", editable=False),
        ),
        migrations.AddField(
            model_name="contact",
            name="neighbourhood_enc",
            field=models.BinaryField(default=b"", editable=False),
        ),
        migrations.AddField(
            model_name="contact",
            name="city_hash",
            field=models.CharField(blank=True, editable=False, max_length=64, null=True),
        ),
        migrations.AddField(
            model_name="contact",
            name="neighbourhood_hash",
            field=models.CharField(blank=True, editable=False, max_length=64, null=True),
        ),
        # Not unique while both columns exist, so going back can re-add it before filling it.
        migrations.AlterField(
            model_name="tag",
            name="name",
            field=models.CharField(max_length=60, verbose_name="name", default=""),
        ),
        migrations.RunPython(encrypt_labels, decrypt_labels, elidable=False),
        migrations.RemoveField(model_name="tag", name="name"),
        migrations.RemoveField(model_name="contact", name="city"),
        migrations.RemoveField(model_name="contact", name="neighbourhood"),
        migrations.AlterField(
            model_name="tag",
            name="name_hash",
            field=models.CharField(editable=False, max_length=64, unique=True),
        ),
        migrations.AlterModelOptions(
            name="tag",
            options={"ordering": ["id"], "verbose_name": "tag", "verbose_name_plural": "tags"},
        ),
    ]
