from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from campaigns.report import render_history_report
from core.files import atomic_write


class Command(BaseCommand):
    help = "Write the printable mobilisation-history report (PDF) of all years or one year."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="only this year (default: the whole history)")
        parser.add_argument("--lang", choices=["ar", "en"], default="ar", help="report language (default ar)")
        parser.add_argument("--out", required=True, help="path of the PDF to write")

    def handle(self, *args, year=None, lang="ar", out=None, **options):
        if year is not None and not 1900 <= year <= 2200:
            raise CommandError(f"--year {year} is not a plausible year")
        path = Path(out)
        if not path.parent.is_dir():
            raise CommandError(f"the directory {path.parent} does not exist")
        pdf = render_history_report(year=year, language=lang)
        # Whole or not at all: a failure never leaves half a PDF at --out. Not personal data,
        # so readable like any document the user writes.
        atomic_write(path, pdf, permissions=0o644)
        self.stdout.write(f"wrote {path} ({len(pdf):,} bytes)")
