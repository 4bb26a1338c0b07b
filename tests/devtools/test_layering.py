"""No production module imports the development tooling or its dev-only requirements.

Read from the source with `ast` (module-level and function-level imports, and
`importlib.import_module` / `__import__` with a literal name), so an import that
never runs in a test is caught too.
"""

import ast

import pytest

from tests.services import ROOT

PRODUCTION_PACKAGES = ("accounts", "campaigns", "contacts", "flyers", "messaging", "core", "public_pages", "hamla")
FORBIDDEN = ("devtools", "aiosmtpd")


def imported_names(tree):
    """Every absolute module name the tree imports, with the line it is on."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                yield node.lineno, node.args[0].value


def production_modules():
    for package in PRODUCTION_PACKAGES:
        if (ROOT / package).is_dir():
            yield from sorted((ROOT / package).rglob("*.py"))


def forbidden_imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for lineno, name in imported_names(tree):
        if name.split(".")[0] in FORBIDDEN:
            yield f"{path.relative_to(ROOT)}:{lineno} imports {name}"


def test_the_walk_sees_the_production_apps():
    names = {path.relative_to(ROOT).parts[0] for path in production_modules()}
    assert {"accounts", "campaigns", "contacts", "flyers", "messaging", "core"} <= names


def test_the_checker_catches_every_spelling():
    source = "import aiosmtpd\nfrom devtools.sink import Sink\ndef f():\n    importlib.import_module('devtools.demo')\n"
    assert [name for _line, name in imported_names(ast.parse(source))] == [
        "aiosmtpd",
        "devtools.sink",
        "devtools.demo",
    ]


@pytest.mark.parametrize("package", PRODUCTION_PACKAGES)
def test_no_production_module_imports_devtools_or_aiosmtpd(package):
    found = [
        line
        for path in production_modules()
        if path.relative_to(ROOT).parts[0] == package
        for line in forbidden_imports(path)
    ]
    assert not found, "\n".join(found)
