"""Panels other apps contribute to the campaign dashboard.

An app joins in by registering, from its ``AppConfig.ready()``, a function
``campaign_panel(campaign) -> dict | None``; the dict names a template
(``{"template": "<app>/_campaign_panel.html", ...}``) and carries that
template's context. The dashboard includes it with ``panel=<the dict>``.
This module names no app: panels appear in the order apps registered them,
which is INSTALLED_APPS order.
"""

_PANELS = []


def register(build):
    """Add a panel builder; registering the same function twice keeps one."""
    if build not in _PANELS:
        _PANELS.append(build)


def panels_for(campaign):
    """The non-empty panels of every registered app for this campaign."""
    panels = []
    for build in _PANELS:
        panel = build(campaign)
        if panel:
            if "template" not in panel:
                raise ValueError(f"{build.__module__}.{build.__name__} returned a panel without a template")
            panels.append(panel)
    return panels
