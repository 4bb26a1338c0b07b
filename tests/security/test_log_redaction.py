"""Searches and tokens never reach the logs: Django's request log lines (`django.server` from
the development server, `django.request` for 4xx/5xx) are redacted by settings.LOGGING."""

import logging

import pytest

SECRETS = (
    "47-1:b-v7pOyuPnWS2x2t4dPWADHk",
    "3xq9-Ab.cd_ef",
    "salma@example.org",
    "salma%40example.org",
    "enrol-Zx81kQ",
    "Mw",
    "c9k-2f1e4b7a",
)


class Keep(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


@pytest.fixture
def kept():
    handler = Keep()
    loggers = [logging.getLogger(name) for name in ("django.server", "django.request")]
    for logger in loggers:
        logger.addHandler(handler)
    yield handler.lines
    for logger in loggers:
        logger.removeHandler(handler)


def test_request_log_lines_carry_no_token_address_or_search(kept):
    server, request = logging.getLogger("django.server"), logging.getLogger("django.request")
    server.info('"%s" %s %s', f"GET /u/{SECRETS[0]}/preferences/ HTTP/1.1", "200", "512")
    server.info('"%s" %s %s', f"GET /signup/confirm/{SECRETS[1]}/ HTTP/1.1", "200", "512")
    request.warning("Not Found: %s", f"/contacts/?q={SECRETS[3]}&after=3")
    request.warning("Bad Request: %s", f"/contacts/{SECRETS[2]}/")
    server.info('"%s" %s %s', f"GET /accounts/enrol/{SECRETS[4]}/ HTTP/1.1", "200", "512")
    server.info('"%s" %s %s', f"GET /accounts/password/{SECRETS[5]}/{SECRETS[6]}/ HTTP/1.1", "200", "512")
    joined = "\n".join(kept)
    assert ([s for s in SECRETS if s in joined], joined.count("/u/[token]/"), len(kept)) == ([], 1, 6)
