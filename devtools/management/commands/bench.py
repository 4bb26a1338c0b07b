"""`manage.py bench AREA [--json]`: benchmarks that print their figures.

Each area is a module of `devtools.benchmarks` with a `run(options) -> dict` function.
An area whose module cannot be imported is still listed; running it says it is not
available (and why) instead of breaking the other areas.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from devtools.benchmarks import dispatch, flyers, import_, signatures, web

try:
    from devtools.benchmarks import copy
except ModuleNotFoundError as exc:
    copy, copy_missing = None, exc

AREAS = {
    "web": web,
    "import": import_,
    "flyers": flyers,
    "dispatch": dispatch,
    "copy": copy,
    "signatures": signatures,
}
# What `bench all` (`make bench`) runs. `copy` measures nothing on SQLite, and `signatures`
# (PostgreSQL and Redis only) loads the machine for a minute, so they run only when asked for by name.
ALL = ("web", "import", "flyers", "dispatch")


class Command(BaseCommand):
    help = "Run a benchmark and print its figures (web, import, flyers, dispatch, copy, signatures, all)."

    def add_arguments(self, parser):
        parser.add_argument("area", choices=[*AREAS, "all"])
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument("--rows", type=int, default=100_000, help="import: rows in the generated file")
        parser.add_argument("--recipients", type=int, default=100_000, help="dispatch: recipients")
        parser.add_argument("--workers", type=int, default=2, help="dispatch: worker processes")
        parser.add_argument("--batch", type=int, default=1000, help="flyers: personalised flyers in one PDF")
        parser.add_argument("--copy-rows", type=int, help="copy: rows of each shape (default 200,000)")
        parser.add_argument("--repeat", type=int, help="copy: runs of each writer, the best one counts (default 3)")

    def handle(self, area, **options):
        areas = ALL if area == "all" else (area,)
        results = {}
        for name in areas:
            module = AREAS[name]
            if module is None:
                raise CommandError(f"benchmark {name!r} is not available: {copy_missing}")
            results[name] = module.run(options)
        if options["json"]:
            self.stdout.write(json.dumps(results if area == "all" else results[area], indent=2, default=str))
        else:
            for name, figures in results.items():
                self.stdout.write(f"[{name}]")
                for key, value in figures.items():
                    self.stdout.write(f"  {key}: {value}")
