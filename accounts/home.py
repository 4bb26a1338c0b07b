"""The home page's seams: what the dashboard shows, and where a role lands after logging in.

Apps above accounts plug in from their ``AppConfig.ready()``:

- ``register(build)``: ``build(request) -> dict | None``, a dashboard panel; the dict names a
  template (``{"template": "<app>/_home_panel.html", ...}``) and carries its context, and
  the home page includes it with ``panel=<the dict>``. Panels appear in the order apps
  registered them (INSTALLED_APPS order); a builder returns None for a role it has nothing for.
- ``land(role, url_name)``: the page a role opens after logging in when no ``next`` says
  otherwise (volunteers land on the print page).

This module names no app.
"""

from core.panels import Panels

_panels = Panels()
_LANDINGS = {}
register = _panels.register


def panels_for(request):
    """The non-empty panels of every registered app for this request's user."""
    return _panels.build(request)


def land(role, url_name):
    """After logging in, `role` opens `url_name` (a URL name without arguments)."""
    _LANDINGS[role] = url_name


def landing(role):
    """The URL name `role` lands on after logging in, or None for the home page."""
    return _LANDINGS.get(role)
