import pytest


@pytest.mark.django_db
def test_status_reports_each_dependency_as_json(client):
    response = client.get("/status?format=json")
    body = response.json()
    assert set(body["checks"]) == {"database", "redis", "worker"}
    assert body["checks"]["database"]["up"] is True
    assert body["checks"]["redis"]["up"] is True
    # No worker runs in this test: the page says so and the status is 503.
    assert body["checks"]["worker"]["up"] is False
    assert response.status_code == 503


@pytest.mark.django_db
def test_status_reports_redis_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    body = client.get("/status", HTTP_ACCEPT="application/json").json()
    assert body["checks"]["redis"] == {"up": False, "detail": "ConnectionError"}
    assert body["ok"] is False


@pytest.mark.django_db
def test_status_page_is_html(client):
    response = client.get("/status")
    assert b"System status" in response.content
