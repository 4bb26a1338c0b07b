"""CSV import of contacts: one code path for the command, the worker task and the bench.

- ``sniff``: encoding, delimiter and header detection (``inspect`` → ``Plan``);
- ``rows``: reading records, validating them, the merge rule (``Row``, ``parse_row``);
- ``pipeline``: batches, the writer thread, checkpoints and resume (``import_file``);
- ``writer``: the contacts tables as the importer reads and writes them.

Callers import from here: ``from contacts.importing import import_file, inspect``.
"""

from .pipeline import Importer, Result, import_file
from .rows import Row, parse_row, read_rows
from .sniff import ENCODINGS, ImportFailed, Plan, inspect

__all__ = [
    "ENCODINGS",
    "ImportFailed",
    "Importer",
    "Plan",
    "Result",
    "Row",
    "import_file",
    "inspect",
    "parse_row",
    "read_rows",
]
