"""Which encrypted columns `manage.py rotate_encryption_key` re-encrypts, and how.

Every column written with contacts.crypto (the contact keyring) must be here, or rotating
the key and dropping the old one leaves it unreadable. Contacts and tag names are this
app's own; apps above register theirs from AppConfig.ready() (asks: responses and an
event's exact place) — contacts names none of them.
"""

from django.db import transaction

from . import crypto

_MODELS = []


def register(model, columns):
    """Have `columns` (BinaryFields holding contacts.crypto ciphertext) of `model` rotated."""
    if (model, tuple(columns)) not in _MODELS:
        _MODELS.append((model, tuple(columns)))


def registered():
    return list(_MODELS)


def rotate(model, columns, batch=1000):
    """Re-encrypt every row of `model` whose `columns` are not all under the newest key.
    Each batch is read under row locks and written in one transaction; rows already current
    are skipped, so an interrupted run is simply started again. Returns (checked, rotated)."""
    last, rotated, seen = 0, 0, 0
    while True:
        with transaction.atomic():
            rows = list(
                model.objects.select_for_update().filter(pk__gt=last).order_by("pk").only("pk", *columns)[:batch]
            )
            if not rows:
                return seen, rotated
            stale = []
            for row in rows:
                values = [getattr(row, column) for column in columns]
                if all(crypto.is_current(value) for value in values):
                    continue
                for column, value in zip(columns, values, strict=True):
                    setattr(row, column, crypto.encrypt(crypto.decrypt(value)))
                stale.append(row)
            if stale:
                model.objects.bulk_update(stale, columns)
            rotated += len(stale)
            seen += len(rows)
            last = rows[-1].pk
