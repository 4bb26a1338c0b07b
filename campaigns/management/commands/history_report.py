import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from campaigns.report import render_history_report


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
        # Write beside the target and rename, so a failure never leaves half a PDF at --out.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".history-", suffix=".pdf")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(pdf)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self.stdout.write(f"wrote {path} ({len(pdf):,} bytes)")
