"""Panels other apps contribute to the campaign dashboard.

An app joins in by registering, from its ``AppConfig.ready()``, a function
``campaign_panel(campaign) -> dict | None``; the dict names a template
(``{"template": "<app>/_campaign_panel.html", ...}``) and carries that
template's context. The dashboard includes it with ``panel=<the dict>``.
This module names no app: panels appear in the order apps registered them,
which is INSTALLED_APPS order.
"""

from core.panels import Panels

_panels = Panels()
register = _panels.register


def panels_for(campaign):
    """The non-empty panels of every registered app for this campaign."""
    return _panels.build(campaign)
