import datetime

import pytest

from campaigns.charts import year_bars
from tests.factories import logged_in, make_user

from .helpers import make_action, make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    client = logged_in(make_user())
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def history():
    demo = make_campaign(kind="demonstration", start_date=datetime.date(2011, 12, 1))
    cleanup = make_campaign(kind="cleanup", start_date=datetime.date(2013, 3, 1), city="Gaziantep")
    make_action(demo, kind="demonstration", date=datetime.date(2011, 12, 20), description_en="March in Aleppo")
    make_action(demo, kind="flyer_drop", date=datetime.date(2012, 1, 5), description_en="Flyers at dawn")
    make_action(
        cleanup, kind="cleanup", date=datetime.date(2013, 3, 2), city="Gaziantep", description_en="Park clean-up"
    )


def test_it_filters_by_year_kind_and_area(client, history):
    assert "Flyers at dawn" in client.get("/campaigns/history/?year=2012").content.decode()
    body = client.get("/campaigns/history/?year=2012").content.decode()
    assert "March in Aleppo" not in body and "Park clean-up" not in body
    body = client.get("/campaigns/history/?kind=demonstration").content.decode()
    assert "March in Aleppo" in body and "Flyers at dawn" not in body
    body = client.get("/campaigns/history/?area=Gaziantep").content.decode()
    assert "Park clean-up" in body and "March in Aleppo" not in body
    body = client.get("/campaigns/history/?campaign_kind=demonstration").content.decode()
    assert "Flyers at dawn" in body and "Park clean-up" not in body


def test_the_chart_has_a_bar_per_year_linking_to_that_year_and_follows_the_filters(client, history):
    body = client.get("/campaigns/history/?kind=cleanup").content.decode()
    for year in (2011, 2012, 2013):
        assert f"kind=cleanup&amp;year={year}" in body
    assert "3 actions recorded" not in body and "1 action recorded" in body


def test_nonsense_filters_are_ignored_rather_than_failing(client, history):
    response = client.get("/campaigns/history/?year=abc&kind=<script>&area=nowhere&page=999")
    assert response.status_code == 200
    assert "<script>" not in response.content.decode()


@pytest.mark.parametrize("query", ["?campaign=99999999999999999999999", "?year=²"])
def test_forged_numbers_in_the_query_are_ignored_rather_than_failing(client, history, query):
    assert client.get("/campaigns/history/" + query).status_code == 200


def test_the_report_ignores_a_year_that_is_not_four_ascii_digits(client, history):
    for year in ("²", "1" * 5000, "٢٠١٣"):
        response = client.get("/campaigns/history/report.pdf", {"year": year})
        assert response.status_code == 200 and response["Content-Disposition"].endswith('-all-en.pdf"')


def test_the_chart_runs_right_to_left_in_arabic():
    ltr = year_bars({2011: 2, 2013: 1})
    rtl = year_bars({2011: 2, 2013: 1}, rtl=True)
    assert [b.year for b in ltr.bars] == [2011, 2012, 2013]
    assert ltr.bars[0].x < ltr.bars[2].x
    assert rtl.bars[0].x > rtl.bars[2].x
    assert ltr.bars[1].height == 0 and ltr.bars[0].height == 2 * ltr.bars[2].height


def test_a_mistyped_ancient_year_does_not_flood_the_chart():
    chart = year_bars({201: 1, 2011: 3, 2026: 1})
    assert len(chart.bars) == 60
    assert chart.bars[-1].year == 2026


def test_a_long_campaigns_dashboard_links_to_its_whole_timeline_in_the_history(client, monkeypatch):
    from campaigns import views

    monkeypatch.setattr(views, "DASHBOARD_ACTIONS", 2)
    campaign, other = make_campaign(title_en="Long one"), make_campaign()
    for n in range(3):
        make_action(campaign, description_en=f"Step {n}")
    make_action(other, description_en="Elsewhere")
    dashboard = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert dashboard.count('class="action"') == 2
    assert f"/campaigns/history/?campaign={campaign.pk}" in dashboard
    body = client.get(f"/campaigns/history/?campaign={campaign.pk}").content.decode()
    assert all(f"Step {n}" in body for n in range(3))
    assert "Elsewhere" not in body and "Long one" in body
