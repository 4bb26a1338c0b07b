"""`manage.py import_contacts PATH --list NAME`: the same import the web page runs."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, no_translations

from contacts.importing import ENCODINGS, ImportFailed, import_file
from contacts.models import ContactList


class Command(BaseCommand):
    help = "Import contacts from a CSV file into a list (encodings and delimiters detected)."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--list", required=True, dest="list_name", help="list name (created if missing)")
        parser.add_argument("--encoding", choices=ENCODINGS, default="auto")
        parser.add_argument("--dry-run", action="store_true", help="validate and count, write nothing")
        parser.add_argument("--json", action="store_true", help="print the result as one JSON object")

    @no_translations  # stable English reasons for --json consumers
    def handle(self, path, list_name, encoding, dry_run, **options):
        from contacts.importing import inspect

        try:
            # Checked before the list is created so a bad file changes nothing.
            plan = inspect(path, encoding)
            if dry_run:
                contact_list = ContactList.objects.filter(name=list_name).first() or ContactList(name=list_name)
            else:
                contact_list, _created = ContactList.objects.get_or_create(name=list_name)
            result = import_file(
                path, contact_list, encoding=encoding, dry_run=dry_run, file_name=Path(path).name, plan=plan
            )
        except ImportFailed as exc:
            raise CommandError(str(exc))
        if not dry_run:
            from accounts.models import audit

            audit(
                None,
                "contacts.import",
                contact_list,
                created=result.created,
                updated=result.updated,
                skipped=result.skipped,
                errors=result.error_count,
                via="command",
            )
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
            return
        self.stdout.write(
            f"{'dry run: ' if dry_run else ''}created {result.created}, updated {result.updated}, "
            f"skipped {result.skipped}, errors {result.error_count} (encoding {result.encoding})"
        )
        for error in result.errors[:50]:
            self.stdout.write(f"  line {error['line']}: {error['reason']}")
        if result.error_count > 50:
            self.stdout.write(f"  … and {result.error_count - 50} more")
        if result.unknown_columns:
            self.stdout.write("unknown columns ignored: " + ", ".join(result.unknown_columns))
