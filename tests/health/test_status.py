import pytest


@pytest.mark.django_db(transaction=True)
def test_status_reports_each_dependency_up_with_a_worker(client, celery_worker_process):
    celery_worker_process.start()
    response = client.get("/status?format=json")
    body = response.json()
    assert response.status_code == 200
    assert body == {"ok": True, "checks": {
        "database": {"up": True, "detail": "postgresql"},
        "redis": {"up": True, "detail": "ping ok"},
        "worker": {"up": True, "detail": "1 worker(s)"},
    }}


@pytest.mark.django_db(transaction=True)
def test_status_reports_a_missing_worker(client, celery_worker_process):
    # The fixture gives this test its own Redis database; no worker listens there.
    body = client.get("/status?format=json").json()
    assert body["checks"]["worker"] == {"up": False, "detail": "no worker answered"}
    assert body["ok"] is False


@pytest.mark.django_db
def test_status_reports_redis_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/status", HTTP_ACCEPT="application/json")
    body = response.json()
    assert body["checks"]["redis"] == {"up": False, "detail": "ConnectionError"}
    assert body["checks"]["worker"] == {"up": False, "detail": "redis down"}
    assert response.status_code == 503


@pytest.mark.django_db
def test_status_page_is_html(client):
    response = client.get("/status")
    assert b"System status" in response.content
