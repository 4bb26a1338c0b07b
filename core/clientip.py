"""The visitor's address, for rate limits and login throttling (never stored).

Behind reverse proxies REMOTE_ADDR is the nearest proxy, and every visitor would
share one limit; so the proxies' X-Forwarded-For is read, but only as far as it was
written by proxies we trust. Starting from the immediate peer (REMOTE_ADDR), while the
address in hand is one of HAMLA_TRUSTED_PROXIES, the next entry from the right of
X-Forwarded-For is what that proxy saw connecting to it; the first address that is
not a trusted proxy is the client. Entries further left are whatever the client sent
and are never believed (a bot could rotate them to dodge limits), and a peer that is
not a trusted proxy — someone reaching the web process directly — has its header
ignored altogether. django-ipware trusts those headers by default, hence these few
lines instead.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings


def client_ip(request):
    peer = request.META.get("REMOTE_ADDR")  # None when unknown (axes stores it as an address)
    trusted = _networks(tuple(settings.HAMLA_TRUSTED_PROXIES))
    if not trusted or not _within(peer, trusted):
        return peer
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    while hops and _within(peer, trusted):
        hop = hops.pop()
        if _address(hop) is None:
            # Not written by a proxy of ours: the trusted peer is the last address we know.
            return peer
        peer = hop
    return peer


@lru_cache(maxsize=8)
def _networks(entries):
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _address(text):
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _within(text, networks):
    address = _address(text) if text else None
    if address is None:
        return False
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in network for network in networks)
