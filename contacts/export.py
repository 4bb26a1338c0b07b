"""CSV export of contacts (the one place personal data leaves Hamla in bulk).

UTF-8 with a BOM so Excel shows Arabic; every cell that a spreadsheet would read
as a formula (starting with = + - @, tab or carriage return) is prefixed with an
apostrophe (OWASP "CSV injection").
"""

from django.db.models import Prefetch
from django.utils import timezone

from core.files import atomic_open
from core.spreadsheets import line_writer, neutralise

from .models import Contact, Tag

HEADER = [
    "given_name",
    "family_name",
    "email",
    "phone",
    "language",
    "city",
    "neighbourhood",
    "status",
    "tags",
    "created",
]


def rows(contacts):
    """Yield CSV lines (str) for a Contact queryset, streamed in chunks."""
    writer = line_writer()
    yield "\ufeff" + writer.writerow(HEADER)
    # Tag names are encrypted: each is decrypted once here, not once per contact carrying it.
    names = {tag.pk: tag.name for tag in Tag.objects.all()}

    def name_of(pk):
        if pk not in names:  # created while the export runs
            names[pk] = Tag.objects.get(pk=pk).name
        return names[pk]

    contacts = contacts.order_by("pk").prefetch_related(Prefetch("tags", queryset=Tag.objects.only("pk")))
    for contact in contacts.iterator(chunk_size=2000):
        tags = sorted((name_of(tag.pk) for tag in contact.tags.all()), key=str.casefold)
        yield writer.writerow(
            [
                neutralise(v)
                for v in (
                    contact.given_name,
                    contact.family_name,
                    contact.email,
                    contact.phone,
                    contact.language,
                    contact.city,
                    contact.neighbourhood,
                    contact.status,
                    ", ".join(tags),
                    timezone.localdate(contact.created).isoformat(),  # as the filters read dates
                )
            ]
        )


def contacts_of_list(contact_list):
    """The list's members: not those who left it (they are counted out on its page too)."""
    return Contact.objects.filter(memberships__contact_list=contact_list, memberships__subscribed=True)


def contacts_of_segment(segment):
    """The segment's supporters as its filters select them now (any status, as its page
    counts them: an export is a record of who is there, not a send)."""
    return segment.contacts()


def write_file(path, contacts):
    """Write the export to `path`, readable by its owner only (it is personal data), and
    whole or not at all: a failure midway leaves no partial list behind.
    Returns the number of contacts written."""
    count = -1
    with atomic_open(path, "w", encoding="utf-8", newline="") as out:
        for line in rows(contacts):
            out.write(line)
            count += 1
    return count
