import pytest

from campaigns import dashboard
from campaigns.dashboard import panels_for

from .helpers import make_campaign

pytestmark = pytest.mark.django_db


def test_it_collects_the_panels_other_apps_provide():
    templates = [panel["template"] for panel in panels_for(make_campaign())]
    assert "flyers/_campaign_panel.html" in templates
    assert all(not t.startswith("campaigns/") for t in templates)


def test_apps_returning_none_are_left_out(monkeypatch):
    monkeypatch.setattr(dashboard._panels, "builders", [lambda campaign: None])
    assert panels_for(make_campaign()) == []


def test_a_panel_without_a_template_is_an_error_naming_its_builder(monkeypatch):
    def broken_panel(campaign):
        return {"x": 1}

    monkeypatch.setattr(dashboard._panels, "builders", [broken_panel])
    with pytest.raises(ValueError, match="broken_panel"):
        panels_for(make_campaign())
