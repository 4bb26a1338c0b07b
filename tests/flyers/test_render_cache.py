import pytest

from flyers import designs, imposition, render
from flyers.errors import FlyerLayoutError, FlyerOverflowError

from .factories import make_flyer, make_run

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_cache(settings, tmp_path):
    settings.VAR_DIR = tmp_path


@pytest.fixture
def renders(monkeypatch):
    """Counts the engine's real renders (the engine still runs)."""
    calls = []
    for module, name in ((designs, "render_flyer"), (imposition, "render_sheet"), (imposition, "render_batch")):
        real = getattr(module, name)

        def counted(*args, _real=real, _name=name, **kwargs):
            calls.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)
    return calls


def test_the_same_flyer_and_options_give_the_same_file_rendered_once(renders):
    flyer = make_flyer()
    first = render.render_pdf(flyer.spec(), "a5")
    again = render.render_pdf(make_flyer.__globals__["Flyer"].objects.get(pk=flyer.pk).spec(), "a5")
    assert first == again
    assert renders == ["render_flyer"]
    assert first.read_bytes().startswith(b"%PDF")
    assert first.parent == render.cache_dir()


def test_changing_an_option_or_the_text_renders_a_new_file(renders):
    flyer = make_flyer()
    paths = {
        render.render_pdf(flyer.spec(), "a5"),
        render.render_pdf(flyer.spec(grayscale=True), "a5"),
        render.render_pdf(flyer.spec(), "a4-4up", crop_marks=True),
        render.render_pdf(flyer.spec(), "a4-4up", crop_marks=False),
        render.render_pdf(flyer.spec(print_run=make_run(flyer)), "a5"),
    }
    flyer.headline_en = "Another headline"
    paths.add(render.render_pdf(flyer.spec(), "a5"))
    assert len(paths) == 6
    assert len(renders) == 6


def test_crop_marks_do_not_split_the_cache_of_single_pages(renders):
    flyer = make_flyer()
    assert render.render_pdf(flyer.spec(), "a6", crop_marks=True) == render.render_pdf(flyer.spec(), "a6")
    assert len(renders) == 1


def test_a_failed_render_leaves_no_file_behind():
    flyer = make_flyer(body_ar="كلمة " * 3000)
    with pytest.raises(FlyerLayoutError) as err:
        render.render_pdf(flyer.spec(), "a6")
    assert err.value.code == "too_long"
    assert list(render.cache_dir().iterdir()) == []


def test_the_preview_png_is_cached_next_to_its_pdf():
    from tests.services import need_tool

    need_tool("pdftoppm", "poppler-utils")
    path = render.render_pdf(make_flyer().spec(), "a5")
    png = render.preview_png(path)
    assert png == path.with_suffix(".png")
    assert png.read_bytes().startswith(b"\x89PNG")
    mtime = png.stat().st_mtime_ns
    assert render.preview_png(path).stat().st_mtime_ns == mtime


@pytest.mark.parametrize(
    ("layout", "pages", "size_mm"),
    [("a4", 1, (210, 297)), ("a6", 1, (105, 148)), ("letter", 1, (216, 279)), ("a4-2up", 1, (297, 210))],
)
def test_each_layout_has_its_page_count_and_size(layout, pages, size_mm):
    from pypdf import PdfReader

    reader = PdfReader(render.render_pdf(make_flyer().spec(), layout))
    assert len(reader.pages) == pages
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == size_mm


def test_a_batch_has_one_sheet_per_print_run_each_with_its_own_link():
    flyer = make_flyer()
    runs = [make_run(flyer) for _ in range(3)]
    path = render.render_pdf(flyer.spec(), "a4-4up", qr_urls=[r.qr_url() for r in runs])
    assert render.page_count(path) == 3
    single = render.render_pdf(flyer.spec(), "a6", qr_urls=[r.qr_url() for r in runs])
    assert render.page_count(single) == 3


def test_the_spec_keeps_phone_numbers_in_one_piece_and_links_to_the_campaign(settings):
    settings.SITE_URL = "https://hamla.example.org"
    flyer = make_flyer(body_ar="اتصلوا على 0944 123 456 أو +963 944 123 456")
    spec = flyer.spec()
    assert "0944\u00a0123\u00a0456" in spec.body_ar
    assert "+963\u00a0944\u00a0123\u00a0456" in spec.body_ar
    assert spec.qr_url == "https://hamla.example.org/c/clean-streets/"
    run = make_run(flyer)
    assert flyer.spec(print_run=run).qr_url == f"https://hamla.example.org/r/{run.code}"


def test_the_arabic_text_comes_back_out_of_the_pdf_in_reading_order():
    import unicodedata

    from pypdf import PdfReader

    flyer = make_flyer(headline_en="", body_en="", cta_en="", headline_ar="حلب نظيفة بأيدينا")
    text = PdfReader(render.render_pdf(flyer.spec(), "a5")).pages[0].extract_text()
    assert "حلب نظيفة بأيدينا" in unicodedata.normalize("NFKC", text)


def test_the_prune_removes_files_unused_for_a_month_and_a_hit_counts_as_use(renders):
    import os
    import time

    flyer = make_flyer()
    old = render.render_pdf(flyer.spec(), "a5")
    used = render.render_pdf(flyer.spec(), "a6")
    month_ago = time.time() - 31 * 86400
    for path in (old, used):
        os.utime(path, (month_ago, month_ago))
    render.render_pdf(flyer.spec(), "a6")  # a cache hit
    assert render.prune_cache() == 1
    assert not old.exists()
    assert used.exists()
    assert renders == ["render_flyer", "render_flyer"]


def test_cached_files_are_written_whole_and_owner_only():
    path = render.render_pdf(make_flyer().spec(), "a5")
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in render.cache_dir().iterdir()] == [path.name]  # no temporary file left


def test_the_engine_key_covers_every_module_of_core_typeset_and_the_flyer_engine():
    from pathlib import Path

    import core.typeset

    root = Path(core.typeset.__file__).resolve().parent
    covered = {path.resolve() for _name, path in render.engine_files()}
    assert set(root.rglob("*.py")) <= covered
    assert set((root / "fonts").glob("*.ttf")) <= covered
    for module in (designs, imposition, render):
        assert Path(module.__file__).resolve() in covered
    assert all(path.exists() for path in covered)


def test_changing_or_adding_a_file_in_core_typeset_changes_the_engine_key(tmp_path):
    import shutil

    shutil.copytree(render.TYPESET_DIR, tmp_path / "typeset", ignore=shutil.ignore_patterns("__pycache__"))
    typeset = tmp_path / "typeset"

    def key():
        return render.engine_digest(render.engine_files(typeset_dir=typeset))

    original = key()
    assert original == render.engine_version()  # same content, same key, wherever it lies
    (typeset / "layout.py").write_text((typeset / "layout.py").read_text() + "\n# changed\n")
    changed = key()
    assert changed != original
    (typeset / "hyphenation.py").write_text("# a new module\n")
    assert key() not in (original, changed)


@pytest.mark.parametrize(
    ("error", "english"),
    [
        (FlyerLayoutError("no_text"), "The flyer has no text: write a headline"),
        (FlyerOverflowError("does_not_fit", "body_ar", "a6"), "please shorten the body (Arabic)"),
        (FlyerOverflowError("does_not_fit", "link", "a6"), "please shorten the link"),
        (FlyerLayoutError("unknown_design", design="fancy", choices=("bold", "notice")), "'fancy'; choose one of bold"),
        (FlyerLayoutError("qr_too_long", max_bytes=1200), "more than 1200 bytes"),
        (FlyerLayoutError("no_print_runs"), "No print runs were chosen."),
        (FlyerLayoutError("a_code_nobody_mapped"), "(a_code_nobody_mapped)"),
    ],
)
def test_user_messages_are_chosen_by_code(error, english):
    from django.utils import translation

    with translation.override("en"):
        assert english in str(render.user_message(error))


def test_every_code_the_flyer_modules_raise_has_a_message():
    import re
    from pathlib import Path

    import core.typeset
    import flyers

    sources = [*Path(flyers.__file__).parent.glob("*.py"), *Path(core.typeset.__file__).parent.glob("*.py")]
    raised = set()
    for path in sources:
        raised |= set(re.findall(r'(?:Error|QRDataError)\(\s*"([a-z_]+)"', path.read_text()))
    # bad arguments from code (direction, align, sizes, colour) are bugs, never shown to people
    raised -= {"bad_direction", "bad_align", "bad_size", "bad_size_range", "bad_color"}
    assert raised and raised <= set(render.MESSAGES)
