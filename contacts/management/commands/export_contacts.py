"""`manage.py export_contacts --list NAME | --segment NAME --out PATH`: the audited CSV export."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import audit
from contacts import export
from contacts.models import ContactList, Segment


class Command(BaseCommand):
    help = "Export a list's or a saved segment's contacts to CSV (UTF-8 with BOM, formula cells neutralised). Audited."

    def add_arguments(self, parser):
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--list", dest="list_name")
        source.add_argument("--segment", dest="segment_name")
        parser.add_argument("--out", required=True)

    def handle(self, list_name, segment_name, out, **options):
        if segment_name is not None:
            source = Segment.objects.filter(name=segment_name).first()
            if source is None:
                raise CommandError(f"No segment named {segment_name!r}.")
            contacts = export.contacts_of_segment(source)
        else:
            source = ContactList.objects.filter(name=list_name).first()
            if source is None:
                raise CommandError(f"No list named {list_name!r}.")
            contacts = export.contacts_of_list(source)
        count = export.write_file(out, contacts)
        audit(None, "contacts.export", source, count=count, via="command")
        self.stdout.write(f"exported {count} contacts to {out}")
