"""`manage.py render_flyer FLYER_ID --layout a4-4up [--grayscale] [--crop-marks] [--print-run CODE] --out PATH`"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.files import atomic_write
from flyers import render
from flyers.errors import FlyerLayoutError
from flyers.models import Flyer, PrintRun


class Command(BaseCommand):
    help = "Render a flyer to a PDF file (uses the content cache)."

    def add_arguments(self, parser):
        parser.add_argument("flyer_id", type=int)
        parser.add_argument("--layout", choices=render.LAYOUTS, default=None, help="default: the flyer's paper size")
        parser.add_argument("--grayscale", action="store_true", help="photocopy-friendly black and white")
        parser.add_argument("--crop-marks", action="store_true", help="cut marks on a4-2up / a4-4up sheets")
        parser.add_argument("--print-run", metavar="CODE", help="put this print run's code in the QR link")
        parser.add_argument("--out", required=True, help="where to write the PDF ('-' is not supported)")

    def handle(self, flyer_id, layout, grayscale, crop_marks, print_run, out, **options):
        flyer = Flyer.objects.select_related("campaign").filter(pk=flyer_id).first()
        if flyer is None:
            raise CommandError(f"There is no flyer with id {flyer_id}.")
        run = None
        if print_run:
            run = PrintRun.objects.filter(code=print_run, flyer=flyer).first()
            if run is None:
                raise CommandError(f"Flyer {flyer_id} has no print run with code {print_run!r}.")
        layout = layout or flyer.paper_size
        if crop_marks and layout not in render.SHEET_LAYOUTS:
            # A single flyer is printed on paper of its own size: there is nothing to cut.
            raise CommandError(
                f"--crop-marks is for sheets that are cut apart ({', '.join(render.SHEET_LAYOUTS)}), not {layout}."
            )
        spec = flyer.spec(print_run=run, grayscale=grayscale or None)
        try:
            cached = render.render_pdf(spec, layout, crop_marks=crop_marks)
        except FlyerLayoutError as exc:
            raise CommandError(str(render.user_message(exc)))
        out = Path(out)
        if not out.parent.is_dir():
            raise CommandError(f"The folder {out.parent} does not exist.")
        atomic_write(out, cached.read_bytes())
        pages = render.page_count(out)
        self.stdout.write(f"Wrote {out} ({layout}, {pages} page{'s' if pages != 1 else ''}, QR {spec.qr_url})")
