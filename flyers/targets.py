"""Where a flyer's QR code may lead besides its campaign's page: a seam higher apps fill.

flyers sits below the apps that own public pages worth printing a QR code for (a petition,
an event), so it names none of them. An app registers a provider from its
``AppConfig.ready()``; a provider is any object with

- ``prefix``: the start of its keys, ``"<prefix>:<anything>"`` (keys are stored in
  ``Flyer.target``, so a prefix never changes once flyers use it);
- ``targets(campaigns) -> iterable of (campaign_id, Target)``: what a flyer of each of these
  campaigns may point at now (one call for every campaign on the flyer form, not one each);
- ``resolve(campaign, key) -> Target | None``: the target if it still has a public page, else
  None (deleted, unpublished); the QR code then leads to the campaign's page.

Nothing registered, or a key no provider knows: the campaign's page, as before targets.
"""

from dataclasses import dataclass

from core.i18n import bilingual

_providers = {}


@dataclass(frozen=True)
class Target:
    key: str
    path: str  # the public page, without the site's address or a query
    title_ar: str = ""
    title_en: str = ""

    @property
    def title(self):
        return bilingual(self, "title")


def register(provider):
    """Add a provider; its prefix may be registered once (a second app reusing it is a bug)."""
    known = _providers.get(provider.prefix)
    if known is not None and known is not provider:
        raise ValueError(f"flyer target prefix {provider.prefix!r} is already registered by {known!r}")
    _providers[provider.prefix] = provider


def targets_by_campaign(campaigns):
    """{campaign_id: [Target, …]} for the flyer form, in each provider's order."""
    campaigns = list(campaigns)
    found = {}
    for provider in _providers.values():
        for campaign_id, target in provider.targets(campaigns):
            found.setdefault(campaign_id, []).append(target)
    return found


def resolve(campaign, key):
    """The Target `key` stands for on `campaign`, or None: blank, unknown or gone."""
    provider = _providers.get((key or "").partition(":")[0])
    return provider.resolve(campaign, key) if provider is not None else None
