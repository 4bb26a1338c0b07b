import json

import pytest

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_broker_as_json(client):
    response = client.get("/healthz")
    body = json.loads(response.content)
    assert response.status_code == 200, body
    assert body["database"] == "ok"
    assert body["broker"] == "ok"
    assert body["status"] == "ok"


def test_healthz_says_503_when_the_broker_is_unreachable(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["broker"].startswith("error")
