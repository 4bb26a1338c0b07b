from django.db import migrations, models


class Migration(migrations.Migration):
    """Contact.phone_verified: False for a phone number kept as entered because
    phonenumbers does not know its range yet (issue 12, finding 4). Every existing
    phone was validated when stored, so the default True is right for them."""

    dependencies = [
        ("contacts", "0010_import_mapping"),
    ]

    operations = [
        migrations.AddField(
            model_name="contact",
            name="phone_verified",
            field=models.BooleanField(default=True, editable=False, verbose_name="phone verified"),
        ),
    ]
