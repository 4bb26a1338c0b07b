"""`manage.py rotate_encryption_key`: re-encrypt every contact, and every staff member's
TOTP seed, with the newest key.

Put the new key FIRST in HAMLA_ENCRYPTION_KEY (keep the old ones after it), run
this, then old keys may be dropped — except the last (original) one, from which
the blind index is derived (see contacts/crypto.py). Each batch is re-encrypted
and written in one transaction; rows already under the newest key are skipped,
so an interrupted run is simply started again.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.two_factor import rotate_seeds
from contacts import crypto
from contacts.models import ENCRYPTED_FIELDS, Contact, Tag

COLUMNS = [f"{name}_enc" for name in ENCRYPTED_FIELDS]


class Command(BaseCommand):
    help = "Re-encrypt all contact data with the newest key in HAMLA_ENCRYPTION_KEY (resumable)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=1000)

    def handle(self, batch, **options):
        last, rotated, seen = 0, 0, 0
        while True:
            with transaction.atomic():
                rows = list(
                    Contact.objects.select_for_update().filter(pk__gt=last).order_by("pk").only("pk", *COLUMNS)[:batch]
                )
                if not rows:
                    break
                stale = []
                for contact in rows:
                    values = [getattr(contact, column) for column in COLUMNS]
                    if all(crypto.is_current(v) for v in values):
                        continue
                    for column, value in zip(COLUMNS, values, strict=True):
                        setattr(contact, column, crypto.encrypt(crypto.decrypt(value)))
                    stale.append(contact)
                if stale:
                    Contact.objects.bulk_update(stale, COLUMNS)
                rotated += len(stale)
                seen += len(rows)
                last = rows[-1].pk
        self.stdout.write(f"checked {seen} contacts, re-encrypted {rotated}")
        with transaction.atomic():  # tag names: a short list, in one go
            tags = Tag.objects.select_for_update().only("pk", "name_enc")
            tags = [tag for tag in tags if not crypto.is_current(tag.name_enc)]
            for tag in tags:
                tag.name_enc = crypto.encrypt(crypto.decrypt(tag.name_enc))
            Tag.objects.bulk_update(tags, ["name_enc"])
        self.stdout.write(f"re-encrypted {len(tags)} tag names")
        # Staff members' TOTP seeds, under their own purpose's keys (accounts.two_factor).
        self.stdout.write(f"re-encrypted {rotate_seeds()} TOTP seeds")
