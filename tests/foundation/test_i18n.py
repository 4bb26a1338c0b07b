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
