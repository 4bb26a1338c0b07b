"""The local outbox: with no email provider configured, mail is written as .eml files."""

import re
import threading
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone
from django.utils.crypto import get_random_string


class OutboxBackend(BaseEmailBackend):
    """Writes each message to HAMLA_OUTBOX_DIR as one RFC 822 file a person can open."""

    _lock = threading.Lock()

    def send_messages(self, email_messages):
        outbox = Path(settings.HAMLA_OUTBOX_DIR)
        outbox.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
            path = outbox / f"{stamp}-{get_random_string(6)}.eml"
            path.write_bytes(message.message().as_bytes(linesep="\n"))
            sent += 1
        return sent


def outbox_messages(limit=100):
    """The newest messages in the outbox, as (file name, parsed message) pairs."""
    import email
    from email import policy

    outbox = Path(settings.HAMLA_OUTBOX_DIR)
    if not outbox.exists():
        return []
    paths = sorted(outbox.glob("*.eml"), reverse=True)[:limit]
    return [(p.name, email.message_from_bytes(p.read_bytes(), policy=policy.default)) for p in paths]


def outbox_path(name):
    """The path of one outbox file, refusing anything that is not a plain file name."""
    if not re.fullmatch(r"[\w.-]+\.eml", name):
        return None
    path = Path(settings.HAMLA_OUTBOX_DIR) / name
    return path if path.is_file() else None
