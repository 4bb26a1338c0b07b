import re
import subprocess

import pytest
from django.urls import reverse

from accounts.roles import VOLUNTEER
from tests.factories import logged_in, make_user
from tests.services import ROOT, need_tool

pytestmark = pytest.mark.django_db


def test_arabic_is_the_default_and_right_to_left(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "تسجيل الدخول" in html


def test_the_language_switcher_turns_pages_english_and_left_to_right():
    client = logged_in(make_user(VOLUNTEER))
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="en" dir="ltr">' in html
    assert "Log out" in html


def catalogues():
    return sorted(p for p in ROOT.glob("**/locale/ar/LC_MESSAGES/django.po") if ".venv" not in p.parts)


def test_there_are_arabic_catalogues():
    assert catalogues()


@pytest.mark.parametrize("po", catalogues(), ids=lambda p: str(p.relative_to(ROOT)))
def test_each_arabic_catalogue_is_complete_and_compiled(po):
    """A string left untranslated, or a .po edited without recompiling, shows English to Arabic readers."""
    msgfmt = need_tool("msgfmt", "gettext")
    result = subprocess.run(
        [msgfmt, "--check", "--statistics", "-o", "-", str(po)], capture_output=True, env={"LC_ALL": "C"}
    )
    assert result.returncode == 0, result.stderr.decode()
    stats = result.stderr.decode()
    assert "untranslated" not in stats and "fuzzy" not in stats, stats
    assert po.with_suffix(".mo").read_bytes() == result.stdout, f"{po} is newer than its .mo: run make messages"


# --- Every string in templates and Python is in a catalogue, translated --------------------

# Not ours, or state: never copied. Development tools and tests: copied (settings import
# devtools when DEBUG is on) but never extracted, no user reads them.
NOT_COPIED = (".venv", "var", "tests", "test-artifacts", ".git", "node_modules")
NOT_EXTRACTED = (*NOT_COPIED, "devtools")


def app_catalogue_dirs():
    """Apps with a catalogue of their own (`<app>/locale/ar/`); the rest goes to `locale/ar/`."""
    return sorted(po.parents[3].name for po in catalogues() if po.parents[3] != ROOT)


def copy_of_the_sources(target):
    """The checkout's sources and catalogues, without the virtualenv, state or tests."""
    import shutil

    shutil.copytree(
        ROOT,
        target,
        ignore=lambda folder, names: [n for n in names if n in NOT_COPIED or n.endswith((".pyc", ".mo"))]
        if folder == str(ROOT)
        else [n for n in names if n.endswith((".pyc", ".mo")) or n == "__pycache__"],
    )


def extract_into(copy, var_dir):
    """`make messages`'s extraction, run in `copy`: each app into its own catalogue, the
    rest (templates/, core, hamla) into locale/ar/. Returns the copy's catalogues."""
    import os
    import sys

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hamla.settings",
        "PYTHONPATH": str(copy),
        "HAMLA_VAR_DIR": str(var_dir),
    }
    env.pop("DATABASE_URL", None)
    django_admin = [sys.executable, "-m", "django", "makemessages", "-l", "ar", "--no-obsolete"]
    apps = app_catalogue_dirs()
    for app in apps:
        subprocess.run([*django_admin], cwd=copy / app, env=env, check=True, capture_output=True)
    ignores = [f"--ignore={name}/*" for name in (*apps, *NOT_EXTRACTED)]
    subprocess.run([*django_admin, *ignores], cwd=copy, env=env, check=True, capture_output=True)
    return sorted(p for p in copy.glob("**/locale/ar/LC_MESSAGES/django.po"))


def untranslated(po):
    """msgids of `po` whose msgstr is empty or fuzzy (gettext's msgattrib selects them)."""
    msgattrib = need_tool("msgattrib", "gettext")
    found = []
    for selection in ("--untranslated", "--only-fuzzy"):
        out = subprocess.run(
            [msgattrib, selection, "--no-obsolete", "--no-wrap", str(po)], capture_output=True, check=True, text=True
        ).stdout
        found += [m for m in re.findall(r'^msgid "(.*)"$', out, flags=re.M) if m]
    return found


def test_every_string_in_templates_and_python_is_translated(tmp_path):
    """makemessages on a copy of the checkout finds no msgid without its Arabic: a string
    added to a template or to Python but never to the catalogue fails here, naming it."""
    need_tool("xgettext", "gettext")
    copy = tmp_path / "copy"
    copy_of_the_sources(copy)
    missing = {
        str(po.relative_to(copy)): strings
        for po in extract_into(copy, tmp_path / "var")
        if (strings := untranslated(po))
    }
    assert missing == {}
