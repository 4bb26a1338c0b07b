"""Hamla's packages depend in one direction (pyproject.toml's import-linter layers).

`lint-imports` checks Python imports; this checks the references it cannot see, which
form cycles just as well: model references by string ("contacts.Contact", and
"contacts.contact" in migrations), `apps.get_model("contacts", …)`, dotted strings
handed to importlib or Django ("messaging.tasks.send"), and migration dependencies.
"""

import ast
import re
import tomllib

import pytest

from tests.services import ROOT


def layers():
    """{package: rank}, 0 at the bottom; siblings in one layer ("a | b") share a rank."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (contract,) = [c for c in config["contracts"] if c["type"] == "layers"]
    ranks = {}
    for rank, layer in enumerate(reversed(contract["layers"])):
        for name in layer.split("|"):
            ranks[name.strip()] = rank
    assert set(ranks) == set(config["root_packages"]), "every package belongs to a layer"
    return ranks


RANKS = layers()
DOTTED = re.compile("(" + "|".join(RANKS) + r")(\.\w+)+")
MIGRATION = re.compile(r"\d{4}_\w+")


def references(tree):
    """(package named, line) for every string reference in a module's syntax tree."""
    # Docstrings mention modules without depending on them; signing salts are names
    # frozen into links already sent ("hamla.messaging.unsubscribe"), not references.
    skipped = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr | ast.Assign)
        and isinstance(node.value, ast.Constant)
        and (isinstance(node, ast.Expr) or any(getattr(t, "id", "").endswith("SALT") for t in node.targets))
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skipped:
            if DOTTED.fullmatch(node.value):
                yield node.value.split(".")[0], node.lineno
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "get_model":
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                yield first.value.split(".")[0], node.lineno
        elif isinstance(node, ast.Tuple) and len(node.elts) == 2:
            app, name = node.elts
            if (
                isinstance(app, ast.Constant)
                and isinstance(name, ast.Constant)
                and app.value in RANKS
                and isinstance(name.value, str)
                and MIGRATION.fullmatch(name.value)
            ):
                yield app.value, node.lineno


def modules():
    for package in RANKS:
        yield from sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("path", list(modules()), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_string_reference_points_up_the_layers(path):
    package = path.relative_to(ROOT).parts[0]
    tree = ast.parse(path.read_text(), str(path))
    upward = [
        f"line {line}: {package} → {named}"
        for named, line in references(tree)
        # Apps outside the layers (django-otp's, Django's own) are libraries below them all.
        if named != package and named in RANKS and RANKS[named] >= RANKS[package]
    ]
    assert upward == []


def test_the_check_sees_a_model_string_pointing_up():
    tree = ast.parse('models.ForeignKey("messaging.Delivery", on_delete=models.CASCADE)')
    assert list(references(tree)) == [("messaging", 1)]


def test_the_check_sees_get_model_and_migration_dependencies():
    tree = ast.parse('apps.get_model("contacts", "Contact")\ndependencies = [("public_pages", "0001_initial")]')
    assert sorted(references(tree)) == [("contacts", 1), ("public_pages", 2)]


MAX_LINES = 600


def test_no_module_outside_migrations_is_over_600_lines():
    """A module past this size does more than one job: split it by job, not by length."""
    long = {
        str(path.relative_to(ROOT)): lines
        for path in [*modules(), *sorted((ROOT / "tests").rglob("*.py"))]
        if "migrations" not in path.parts and (lines := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}
