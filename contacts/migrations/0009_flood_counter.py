"""The signup flood limits move from the cache to this table (contacts/limits.py)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0008_encrypted_labels"),
    ]

    operations = [
        migrations.CreateModel(
            name="FloodCounter",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(max_length=64, unique=True)),
                ("count", models.PositiveIntegerField(default=0)),
                ("ends", models.DateTimeField()),
            ],
        ),
    ]
