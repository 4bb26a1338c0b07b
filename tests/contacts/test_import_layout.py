"""The import pipeline's modules stay small, and read top to bottom."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODULES = sorted([*(ROOT / "contacts" / "importing").glob("*.py"), *(ROOT / "core" / "db").glob("*.py")])


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_constant_is_used_above_its_definition(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    defined = {}  # module-level name -> line of its first assignment
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name):
                        defined.setdefault(name.id, node.lineno)
    early = [
        (name.id, name.lineno)
        for node in tree.body
        for name in ast.walk(node)
        if isinstance(name, ast.Name) and name.id in defined and name.lineno < defined[name.id]
    ]
    assert early == []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_each_module_stays_small(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) < 500


def test_core_db_imports_no_hamla_app():
    apps = {"accounts", "campaigns", "flyers", "contacts", "messaging", "public_pages", "hamla", "devtools"}
    for path in (ROOT / "core" / "db").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            else:
                continue
            assert not {name.split(".")[0] for name in names} & apps, (path.name, names)
