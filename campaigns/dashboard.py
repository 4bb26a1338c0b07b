"""Panels other apps contribute to the campaign dashboard.

An app joins in by providing ``<app>/panels.py`` with
``campaign_panel(campaign) -> dict | None``; the dict names a template
(``{"template": "<app>/_campaign_panel.html", ...}``) and carries that
template's context. The dashboard includes it with ``panel=<the dict>``.
"""

import functools
import importlib

from django.apps import apps


@functools.cache
def _panel_modules():
    """Found once per process: a failed import per app on every dashboard view is wasted work."""
    modules = []
    for config in apps.get_app_configs():
        if config.name == "campaigns":
            continue
        try:
            modules.append(importlib.import_module(f"{config.name}.panels"))
        except ModuleNotFoundError as exc:
            # Only "this app has no panels module" is expected; a broken import inside one is not.
            if exc.name != f"{config.name}.panels":
                raise
    return modules


def panels_for(campaign):
    """The non-empty panels of every installed app for this campaign, in INSTALLED_APPS order."""
    panels = []
    for module in _panel_modules():
        build = getattr(module, "campaign_panel", None)
        if build is None:
            continue
        panel = build(campaign)
        if panel:
            if "template" not in panel:
                raise ValueError(f"{module.__name__}.campaign_panel returned a panel without a template")
            panels.append(panel)
    return panels
