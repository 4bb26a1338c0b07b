import subprocess

import pytest
from django.core.management import CommandError, call_command

from tests.services import need_tool

from .factories import make_campaign, make_flyer, make_run

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_cache(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    settings.SITE_URL = "https://hamla.example.org"


def decode_qr_codes(pdf_path, tmp_path):
    need_tool("pdftoppm", "poppler-utils")
    need_tool("zbarimg", "zbar-tools")
    prefix = tmp_path / "page"
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-gray", str(pdf_path), str(prefix)], check=True)
    found = []
    for png in sorted(tmp_path.glob("page*.png")):
        out = subprocess.run(["zbarimg", "--quiet", "--raw", str(png)], capture_output=True, text=True)
        found.extend(line for line in out.stdout.splitlines() if line)
    return found


def test_the_print_run_pdf_qr_decodes_to_the_campaign_page_with_the_run_code(tmp_path):
    flyer = make_flyer(make_campaign("clean-aleppo-2026"))
    run = make_run(flyer)
    out = tmp_path / "run.pdf"
    call_command("render_flyer", flyer.pk, "--layout", "a4-4up", "--grayscale", "--crop-marks",
                 "--print-run", run.code, "--out", str(out))  # fmt: skip
    codes = decode_qr_codes(out, tmp_path)
    assert codes == [f"https://hamla.example.org/r/{run.code}"] * 4


def test_an_a6_flyer_qr_decodes_to_the_campaign_page(tmp_path):
    flyer = make_flyer(make_campaign("clean-aleppo-2026"), design="notice")
    out = tmp_path / "a6.pdf"
    call_command("render_flyer", flyer.pk, "--layout", "a6", "--out", str(out))
    assert decode_qr_codes(out, tmp_path) == ["https://hamla.example.org/c/clean-aleppo-2026/"]


def test_the_command_reports_what_it_wrote(tmp_path, capsys):
    from pypdf import PdfReader

    flyer = make_flyer()
    out = tmp_path / "sheet.pdf"
    call_command("render_flyer", flyer.pk, "--layout", "a4-2up", "--out", str(out))
    printed = capsys.readouterr().out
    assert f"Wrote {out} (a4-2up, 1 page" in printed
    reader = PdfReader(out)
    assert len(reader.pages) == 1
    assert not (reader.metadata or {}).get("/Author")


def test_the_command_refuses_an_unknown_flyer_or_print_run(tmp_path):
    flyer = make_flyer()
    other = make_run(make_flyer(make_campaign("other")))
    with pytest.raises(CommandError, match="no flyer with id 999"):
        call_command("render_flyer", 999, "--out", str(tmp_path / "x.pdf"))
    with pytest.raises(CommandError, match="no print run with code"):
        call_command("render_flyer", flyer.pk, "--print-run", "nope", "--out", str(tmp_path / "x.pdf"))
    # A real code, but of another flyer's run.
    with pytest.raises(CommandError, match="no print run with code"):
        call_command("render_flyer", flyer.pk, "--print-run", other.code, "--out", str(tmp_path / "x.pdf"))
    assert not (tmp_path / "x.pdf").exists()


def test_the_command_reports_text_that_does_not_fit(tmp_path):
    flyer = make_flyer(body_en="words " * 2000)
    with pytest.raises(CommandError, match="shorten|اختصار"):
        call_command("render_flyer", flyer.pk, "--layout", "a6", "--out", str(tmp_path / "x.pdf"))


def test_the_command_refuses_crop_marks_on_a_single_page_layout(tmp_path):
    flyer = make_flyer()
    out = tmp_path / "a5.pdf"
    with pytest.raises(CommandError, match="--crop-marks is for sheets"):
        call_command("render_flyer", flyer.pk, "--layout", "a5", "--crop-marks", "--out", str(out))
    assert not out.exists()


def test_print_run_codes_are_letters_and_digits_only():
    from flyers.models import new_print_run_code

    codes = {new_print_run_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(code) == 10 and code.isascii() and code.isalnum() for code in codes)
