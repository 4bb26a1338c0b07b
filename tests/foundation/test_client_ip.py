import pytest
from django.test import RequestFactory

from core.clientip import client_ip

PROXY = "10.0.0.2"


def request(remote="203.0.113.9", forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


def test_a_client_connecting_directly_has_its_forwarded_header_ignored(settings):
    settings.HAMLA_TRUSTED_PROXIES = ["127.0.0.1/8", "::1", PROXY]
    assert client_ip(request(forwarded="1.2.3.4")) == "203.0.113.9"


def test_by_default_only_a_proxy_on_this_machine_is_believed(settings):
    settings.HAMLA_TRUSTED_PROXIES = ["127.0.0.1/8", "::1"]
    assert client_ip(request(remote="127.0.0.1", forwarded="203.0.113.7")) == "203.0.113.7"
    assert client_ip(request(remote="::1", forwarded="203.0.113.7")) == "203.0.113.7"
    assert client_ip(request(remote=PROXY, forwarded="203.0.113.7")) == PROXY


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        (PROXY, "203.0.113.7", "203.0.113.7"),
        (PROXY, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the client's own entry is ignored
        ("172.18.0.1", "6.6.6.6, 203.0.113.7, 10.0.0.2", "203.0.113.7"),  # two proxies of ours
        (PROXY, "6.6.6.6, not-an-address", PROXY),  # no proxy of ours wrote that
        (PROXY, None, PROXY),
        ("::ffff:10.0.0.2", "203.0.113.7", "203.0.113.7"),  # IPv4 peer on an IPv6 socket
    ],
)
def test_behind_trusted_proxies_it_takes_the_first_address_that_is_not_one_of_them(
    settings, remote, forwarded, expected
):
    settings.HAMLA_TRUSTED_PROXIES = ["10.0.0.0/24", "172.16.0.0/12"]
    assert client_ip(request(remote=remote, forwarded=forwarded)) == expected


def test_with_no_trusted_proxy_the_header_is_never_read(settings):
    settings.HAMLA_TRUSTED_PROXIES = []
    assert client_ip(request(remote="127.0.0.1", forwarded="203.0.113.7")) == "127.0.0.1"
