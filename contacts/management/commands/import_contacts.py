"""`manage.py import_contacts PATH --list NAME`: the same import the web page runs.

`--map "E-mail 1 - Value=email,Given Name=given_name"` maps columns by hand (header=field
pairs, contacts/importing/mapping.py); `--mapping NAME` applies one saved from the import
page (applied first, then --map). A bad mapping fails with its code, e.g.
`[unknown_field] …`, before anything is written."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, no_translations

from contacts.importing import ENCODINGS, ImportFailed, import_file
from contacts.importing.mapping import FIELDS, BadMapping, parse_map
from contacts.models import ContactList, ImportMapping


class Command(BaseCommand):
    help = "Import contacts from a CSV file into a list (encodings and delimiters detected)."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--list", required=True, dest="list_name", help="list name (created if missing)")
        parser.add_argument("--encoding", choices=ENCODINGS, default="auto")
        parser.add_argument("--dry-run", action="store_true", help="validate and count, write nothing")
        parser.add_argument("--json", action="store_true", help="print the result as one JSON object")
        parser.add_argument(
            "--map",
            dest="column_map",
            default="",
            help=f'columns mapped by hand: "header=field,header=field" (fields: {", ".join(FIELDS)})',
        )
        parser.add_argument("--mapping", default="", help="the name of a mapping saved on the import page")

    @no_translations  # stable English reasons for --json consumers
    def handle(self, path, list_name, encoding, dry_run, column_map="", mapping="", **options):
        from contacts.importing import inspect

        try:
            # Checked before the list is created so a bad file changes nothing.
            plan = inspect(path, encoding, mapping=self._mapping(mapping, column_map))
            if dry_run:
                contact_list = ContactList.objects.filter(name=list_name).first() or ContactList(name=list_name)
            else:
                contact_list, _created = ContactList.objects.get_or_create(name=list_name)
            result = import_file(
                path, contact_list, encoding=encoding, dry_run=dry_run, file_name=Path(path).name, plan=plan
            )
        except BadMapping as exc:
            error = CommandError(f"[{exc.code}] {exc}")
            error.code = exc.code  # for scripts and tests: the code, not the sentence
            raise error from None
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
                mapped=bool(mapping or column_map),
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

    def _mapping(self, name, text):
        """{header: field}: the saved mapping `name`, then `text` (--map) over it."""
        columns = {}
        if name:
            saved = ImportMapping.objects.filter(name=name).first()
            if saved is None:
                raise BadMapping("unknown_mapping", name=name)
            columns.update(saved.columns)
        if text:
            columns.update(parse_map(text))
        return columns or None
