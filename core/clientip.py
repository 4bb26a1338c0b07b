"""The visitor's address, for rate limits and login throttling (never stored).

Behind reverse proxies REMOTE_ADDR is the nearest proxy, and every visitor would
share one limit. With HAMLA_PROXY_COUNT = N trusted proxies, each of which appends
the address it received from to X-Forwarded-For, the client is the N-th entry from
the right: what the outermost of our proxies saw. Entries further left are whatever
the client sent and are never believed (a bot could rotate them to dodge limits).
django-ipware trusts those headers by default, hence these few lines instead.
"""

import ipaddress

from django.conf import settings


def client_ip(request):
    proxies = settings.HAMLA_PROXY_COUNT
    if proxies > 0:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= proxies and _is_address(hops[-proxies]):
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR")  # None when unknown (axes stores it as an address)


def _is_address(text):
    # With more proxies configured than there are, the entry is the client's own text.
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
