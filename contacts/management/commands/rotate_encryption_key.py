"""`manage.py rotate_encryption_key`: re-encrypt every contact, tag name, whatever other
apps registered (contacts/rotation.py: asks' responses and events' places), and every staff
member's TOTP seed, with the newest key.

Put the new key FIRST in HAMLA_ENCRYPTION_KEY (keep the old ones after it), run
this, then old keys may be dropped — except the last (original) one, from which
the blind index is derived (see contacts/crypto.py). Each batch is re-encrypted
and written in one transaction; rows already under the newest key are skipped,
so an interrupted run is simply started again.
"""

from django.core.management.base import BaseCommand

from accounts.two_factor import rotate_seeds
from contacts import rotation


class Command(BaseCommand):
    help = "Re-encrypt all personal data with the newest key in HAMLA_ENCRYPTION_KEY (resumable)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=1000)

    def handle(self, batch, **options):
        for model, columns in rotation.registered():
            seen, rotated = rotation.rotate(model, columns, batch)
            self.stdout.write(f"{model._meta.label}: checked {seen}, re-encrypted {rotated}")
        # Staff members' TOTP seeds, under their own purpose's keys (accounts.two_factor).
        self.stdout.write(f"re-encrypted {rotate_seeds()} TOTP seeds")
