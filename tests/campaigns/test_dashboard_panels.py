import types

import pytest

from campaigns import dashboard
from campaigns.dashboard import panels_for

from .helpers import make_campaign

pytestmark = pytest.mark.django_db


def test_it_collects_the_panels_other_apps_provide():
    templates = [panel["template"] for panel in panels_for(make_campaign())]
    assert "flyers/_campaign_panel.html" in templates
    assert all(not t.startswith("campaigns/") for t in templates)


def test_apps_returning_none_are_left_out_and_a_panel_without_template_is_an_error(monkeypatch):
    silent = types.SimpleNamespace(__name__="silent.panels", campaign_panel=lambda campaign: None)
    broken = types.SimpleNamespace(__name__="broken.panels", campaign_panel=lambda campaign: {"x": 1})
    monkeypatch.setattr(dashboard, "_panel_modules", lambda: iter([silent]))
    assert panels_for(make_campaign()) == []
    monkeypatch.setattr(dashboard, "_panel_modules", lambda: iter([broken]))
    with pytest.raises(ValueError, match="broken.panels"):
        panels_for(make_campaign())
