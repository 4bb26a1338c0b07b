from django.db import migrations


def drop_like_indexes(apps, schema_editor):
    """Blind indexes are only ever compared whole; the extra LIKE (pattern_ops) indexes
    Django adds to CharFields on PostgreSQL cost every imported contact two index updates."""
    if schema_editor.connection.vendor != "postgresql":
        return
    Contact = apps.get_model("contacts", "Contact")
    for name in ("email_hash", "phone_hash"):
        column = Contact._meta.get_field(name).column
        index = schema_editor._create_index_name(Contact._meta.db_table, [column], suffix="_like")
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(index)}")


class Migration(migrations.Migration):
    dependencies = [("contacts", "0005_lean_contact_indexes")]

    operations = [migrations.RunPython(drop_like_indexes, migrations.RunPython.noop)]
