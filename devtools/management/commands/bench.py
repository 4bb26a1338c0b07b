"""`manage.py bench AREA [--json]`: benchmarks that print their figures.

Each area lives next to the code it measures, as `<app>/bench.py` with a
`run(options) -> dict` function.
"""

import importlib
import json

from django.core.management.base import BaseCommand, CommandError

AREAS = {
    "web": "campaigns.bench",
    "import": "contacts.bench",
    "flyers": "flyers.bench",
    "dispatch": "messaging.bench",
}


class Command(BaseCommand):
    help = "Run a benchmark and print its figures (web, import, flyers, dispatch, all)."

    def add_arguments(self, parser):
        parser.add_argument("area", choices=[*AREAS, "all"])
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument("--rows", type=int, default=100_000, help="import: rows in the generated file")
        parser.add_argument("--recipients", type=int, default=100_000, help="dispatch: recipients")
        parser.add_argument("--workers", type=int, default=2, help="dispatch: worker processes")
        parser.add_argument("--batch", type=int, default=1000, help="flyers: personalised flyers in one PDF")

    def handle(self, area, **options):
        areas = list(AREAS) if area == "all" else [area]
        results = {}
        for name in areas:
            try:
                module = importlib.import_module(AREAS[name])
            except ModuleNotFoundError as exc:
                raise CommandError(f"benchmark {name!r} is not available: {exc}")
            results[name] = module.run(options)
        if options["json"]:
            self.stdout.write(json.dumps(results if area == "all" else results[area], indent=2, default=str))
        else:
            for name, figures in results.items():
                self.stdout.write(f"[{name}]")
                for key, value in figures.items():
                    self.stdout.write(f"  {key}: {value}")
