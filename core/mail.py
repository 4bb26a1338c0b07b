"""The local outbox of development: with no email provider configured, mail is written as
.eml files, owner-only (they name their recipients). Production never uses it: settings
refuse to start with DEBUG=false and no real mail route (core/checks.py)."""

import re
import threading
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone
from django.utils.crypto import get_random_string

from .files import atomic_write


class OutboxBackend(BaseEmailBackend):
    """Writes each message to HAMLA_OUTBOX_DIR as one RFC 822 file a person can open."""

    _lock = threading.Lock()

    def send_messages(self, email_messages):
        outbox = Path(settings.HAMLA_OUTBOX_DIR)
        outbox.mkdir(mode=0o700, parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
            path = outbox / f"{stamp}-{get_random_string(6)}.eml"
            atomic_write(path, message.message().as_bytes(linesep="\n"))
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


def forget_recipient(address):
    """Delete the outbox files addressed to `address` (an erased supporter's mail must
    not outlive them here either). Returns how many were deleted."""
    from email.parser import BytesHeaderParser
    from email.utils import getaddresses

    outbox = Path(settings.HAMLA_OUTBOX_DIR)
    if not address or not outbox.exists():
        return 0
    wanted, deleted = address.strip().lower(), 0
    parser = BytesHeaderParser()
    for path in outbox.glob("*.eml"):
        with path.open("rb") as handle:
            headers = parser.parse(handle)
        recipients = getaddresses(headers.get_all("To", []) + headers.get_all("Cc", []))
        if any(addr.lower() == wanted for _name, addr in recipients):
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted
