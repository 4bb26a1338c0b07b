import pytest
from django.test import RequestFactory

from core.clientip import client_ip


def request(remote="10.0.0.9", forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


def test_without_proxies_the_forwarded_header_is_not_believed(settings):
    settings.HAMLA_PROXY_COUNT = 0
    assert client_ip(request(forwarded="1.2.3.4")) == "10.0.0.9"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the client's own entry is ignored
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
        (2, "203.0.113.7", "10.0.0.9"),  # fewer hops than proxies: not through them
        (2, "not-an-address, 10.0.0.2", "10.0.0.9"),  # more proxies configured than there are
    ],
)
def test_behind_proxies_it_takes_the_address_the_outermost_proxy_saw(settings, proxies, forwarded, expected):
    settings.HAMLA_PROXY_COUNT = proxies
    assert client_ip(request(forwarded=forwarded)) == expected
