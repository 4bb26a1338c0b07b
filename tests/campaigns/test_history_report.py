import io
import unicodedata

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from devtools.demo import history as demo
from tests.factories import logged_in, make_user

pytestmark = pytest.mark.django_db


def words(pdf_bytes):
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf_bytes)).pages)
    return unicodedata.normalize("NFKC", text)


@pytest.fixture
def history():
    demo.load(io.StringIO())


def test_the_command_writes_the_arabic_report_of_the_whole_history(history, tmp_path):
    out = tmp_path / "history.pdf"
    call_command("history_report", "--out", str(out), stdout=io.StringIO())
    text = words(out.read_bytes())
    for word in ("كرمان", "مصطفى", "عنتاب", "بستان", "القصر", "2011", "2013"):
        assert word in text, word


def test_one_year_in_english_holds_only_that_years_campaigns(history, tmp_path):
    out = tmp_path / "2013.pdf"
    call_command("history_report", "--year", "2013", "--lang", "en", "--out", str(out), stdout=io.StringIO())
    text = words(out.read_bytes())
    assert "Gaziantep headquarters and licence" in text
    assert "Founding of" not in text


def test_the_report_carries_no_author_or_user_name(history, tmp_path):
    out = tmp_path / "h.pdf"
    call_command("history_report", "--out", str(out), stdout=io.StringIO())
    meta = PdfReader(str(out)).metadata
    assert not meta.get("/Author")
    assert meta.get("/Creator") == "Hamla"


def test_bad_arguments_give_a_clear_error_and_write_nothing(tmp_path):
    with pytest.raises(CommandError, match="plausible year"):
        call_command("history_report", "--year", "99999", "--out", str(tmp_path / "x.pdf"))
    with pytest.raises(CommandError, match="does not exist"):
        call_command("history_report", "--out", str(tmp_path / "missing" / "x.pdf"))
    assert list(tmp_path.iterdir()) == []


def test_an_empty_history_still_gives_a_valid_report(tmp_path):
    out = tmp_path / "empty.pdf"
    call_command("history_report", "--lang", "en", "--out", str(out), stdout=io.StringIO())
    assert "Nothing recorded for this period." in words(out.read_bytes())


def test_organizers_download_the_report_from_the_history_page(history):
    client = logged_in(make_user())
    page = client.get("/campaigns/history/").content.decode()
    assert "/campaigns/history/report.pdf" in page
    response = client.get("/campaigns/history/report.pdf?year=2012&lang=en")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="hamla-history-2012-en.pdf"' in response["Content-Disposition"]
    assert "The school of martyr Mustafa Karman" in words(response.content)


def test_a_malformed_year_in_the_download_falls_back_to_all_years(history):
    client = logged_in(make_user())
    response = client.get("/campaigns/history/report.pdf?year=20x1&lang=zz")
    assert response.status_code == 200
    assert 'filename="hamla-history-all-ar.pdf"' in response["Content-Disposition"]


def test_a_long_history_lists_campaign_totals_instead_of_every_action():
    from campaigns.report import history_data

    from .helpers import make_many

    make_many(campaigns=3, actions_each=4)
    full = history_data()
    condensed = history_data(max_listed_actions=5)
    assert not full["condensed"] and sum(len(a) for a in full["actions_of"].values()) == 12
    assert condensed["condensed"] and not condensed["actions_of"]
    assert [c.action_count for c in condensed["campaigns"]] == [4, 4, 4]
    assert condensed["action_count"] == 12
    assert condensed["participants"] == full["participants"] == 3 * (10 + 11 + 12 + 13)


def test_undated_campaigns_get_their_own_heading():
    from campaigns.models import Campaign
    from campaigns.report import render_history_report

    Campaign.objects.create(title_en="Someday", slug="someday", start_date=None)
    text = words(render_history_report(language="en"))
    assert "Undated" in text and "Someday" in text


def _report(language, year=None):
    from campaigns.report import render_history_report

    return render_history_report(year, language)


@pytest.mark.parametrize("language", ["ar", "en"])
def test_pdffonts_shows_every_font_of_the_report_embedded(history, language):
    from tests.flyers.test_pdf_text import unembedded_fonts

    assert unembedded_fonts(_report(language)) == []


@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_report_names_its_language_and_title(history, language):
    reader = PdfReader(io.BytesIO(_report(language)))
    title = {"ar": "تاريخ الحراك — كل السنوات", "en": "Mobilisation history — All years"}[language]
    assert (reader.trailer["/Root"]["/Lang"], reader.metadata.title) == (language, title)


@pytest.mark.parametrize("extractor", ["pdftotext", "pypdf", "pdfminer"])
def test_the_arabic_reports_campaign_titles_and_years_read_back_as_written(history, extractor):
    from campaigns.models import Campaign
    from tests.core.typeset.extractors import EXTRACTORS, normal, squeezed

    text = EXTRACTORS[extractor](_report("ar"))
    titles = [c.title_ar for c in Campaign.objects.order_by("start_date", "id")]
    sources = titles + ["الأنشطة في كل سنة", "الأنشطة حسب النوع"]
    if extractor == "pdftotext":
        missing = [s for s in sources if squeezed(s) not in squeezed(text)]
    else:
        missing = [s for s in sources if normal(s) not in text]
    assert missing == []
