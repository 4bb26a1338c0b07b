"""`manage.py export_contacts --list NAME --out PATH`: the audited CSV export."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import audit
from contacts import export
from contacts.models import ContactList


class Command(BaseCommand):
    help = "Export a list's contacts to CSV (UTF-8 with BOM, formula cells neutralised). Audited."

    def add_arguments(self, parser):
        parser.add_argument("--list", required=True, dest="list_name")
        parser.add_argument("--out", required=True)

    def handle(self, list_name, out, **options):
        contact_list = ContactList.objects.filter(name=list_name).first()
        if contact_list is None:
            raise CommandError(f"No list named {list_name!r}.")
        count = export.write_file(out, export.contacts_of_list(contact_list))
        audit(None, "contacts.export", contact_list, count=count, via="command")
        self.stdout.write(f"exported {count} contacts to {out}")
