"""What other apps add to the mobilisation history, the page and the PDF report: a
campaign's asks and their results, for instance ("Petition ‘Clean the river’ — closed:
1,234 signatures").

An app registers, from its ``AppConfig.ready()``, ``provider(campaign_ids) -> [Result]``;
the history asks once per page (or once per report) for the campaigns it shows. This
module names no app. Results carry counts only, never who.
"""

from dataclasses import dataclass

_providers = []


@dataclass(frozen=True)
class Result:
    campaign_id: int
    title: str  # what it was, in the active language
    line: str  # what came of it, in the active language
    url: str = ""  # the staff page about it, if any


def register(provider):
    """Add a provider; registering the same function twice keeps one."""
    if provider not in _providers:
        _providers.append(provider)


def for_campaigns(campaign_ids):
    """{campaign id: [Result]} from every provider, for these campaigns."""
    ids = list(campaign_ids)
    found = {}
    if not ids:
        return found
    for provider in _providers:
        for result in provider(ids):
            found.setdefault(result.campaign_id, []).append(result)
    return found
