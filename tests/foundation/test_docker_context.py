"""The files `docker build` sends (the build context) hold no secret and every project file.

Docker's own rules for .dockerignore (moby's patternmatcher), for the patterns we use: each
line is cleaned and loses a leading "/"; "*" and "?" stay within one path segment, "**"
spans any number of them; a pattern excludes a path when it matches the path or any of its
parent folders; a later line wins, and a leading "!" makes it an exception.
"""

import re
import subprocess
from pathlib import PurePosixPath

import pytest

from tests.services import ROOT, unavailable

SECRETS = [
    ".env",
    ".env.production",
    "contacts/.env",
    "var/encryption_key",
    "var/secret_key",
    "var/hamla.sqlite3",
    "var/outbox/20250101-000000-000000-abcdef.eml",
    "var/xdist-gw0/test.sqlite3",
    ".git/config",
    ".venv/lib/python3.11/site-packages/django/__init__.py",
    "test-artifacts/x.png",
    "test-artifacts/screenshots/signup.png",
    "accounts/__pycache__/views.cpython-311.pyc",
    "node_modules/left-pad/index.js",
    "static/node_modules/x/index.js",
    "backup.sqlite3",
    "tls/server.key",
]


def rules(text):
    compiled = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        exception = line.startswith("!")
        pattern = str(PurePosixPath(line.removeprefix("!").strip()))  # filepath.Clean
        pattern = pattern.removeprefix("/") or "."
        compiled.append((re.compile(_regex(pattern)), exception))
    return compiled


def _regex(pattern):
    out, i = "^", 0
    while i < len(pattern):
        ch = pattern[i]
        if pattern.startswith("**", i):
            i += 2
            if pattern[i : i + 1] == "/":
                i += 1
            out += ".*" if i >= len(pattern) else "(.*/)?"
            continue
        if ch == "*":
            out += "[^/]*"
        elif ch == "?":
            out += "[^/]"
        elif ch == "[":
            end = pattern.index("]", i)
            out += pattern[i : end + 1]
            i = end
        elif ch == "\\":
            i += 1
            out += re.escape(pattern[i])
        else:
            out += re.escape(ch)
        i += 1
    return out + "$"


def excluded(path, compiled):
    parts = PurePosixPath(path).parts
    candidates = [path] + ["/".join(parts[: n + 1]) for n in range(len(parts) - 1)]
    verdict = False
    for regex, exception in compiled:
        if any(regex.match(candidate) for candidate in candidates):
            verdict = not exception
    return verdict


def build_context(root):
    ignore = root / ".dockerignore"
    compiled = rules(ignore.read_text() if ignore.exists() else "")
    files = (p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    return {path for path in files if not excluded(path, compiled)}


def project_files():
    """The files git tracks: the project, as a fresh clone has it."""
    try:
        listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        unavailable("the project's files are listed by `git ls-files`, and this is not a git checkout")
    return [path for path in listed.splitlines() if (ROOT / path).is_file()]


# Files the image cannot do without (the rest of the tracked files are checked from git).
NEEDED = [
    "manage.py",
    "hamla/settings.py",
    "hamla/wsgi.py",
    "requirements.txt",
    "Procfile",
    "static/css/hamla.css",
    "accounts/locale/ar/LC_MESSAGES/django.mo",
    "templates/base.html",
    ".env.example",
]


def checkout(root, project):
    """A checkout as a developer has it after `make run` and `make test`: the project's
    files (empty copies) next to secrets, state and caches."""
    for path in project + SECRETS:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"")
    if (ROOT / ".dockerignore").exists():
        (root / ".dockerignore").write_bytes((ROOT / ".dockerignore").read_bytes())
    return root


def test_the_build_context_holds_none_of_the_secrets_state_or_caches(tmp_path):
    context = build_context(checkout(tmp_path, NEEDED))
    assert (sorted(context & set(SECRETS)), sorted(set(NEEDED) - context)) == ([], [])


def test_the_build_context_holds_every_project_file(tmp_path):
    project = project_files()
    assert sorted(set(project) - build_context(checkout(tmp_path, project))) == []


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("var/", "var/outbox/x.eml", True),
        ("/var", "var/encryption_key", True),
        ("var/", "contacts/var.py", False),
        ("**/.env", "a/b/.env", True),
        ("**/.env", ".env", True),
        ("node_modules", "static/node_modules/x.js", False),
        ("*.sqlite3", "var2/x.sqlite3", False),
        ("**/*.py[cod]", "a/__pycache__/b.pyc", True),
        ("**/.env.*\n!.env.example", ".env.example", False),
        ("**/.env.*\n!.env.example", ".env.local", True),
    ],
)
def test_the_matcher_follows_dockers_rules(pattern, path, expected):
    assert excluded(path, rules(pattern)) is expected
