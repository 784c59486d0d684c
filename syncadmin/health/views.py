"""System status: database, Redis and a Celery worker, as JSON or a small page."""

from __future__ import annotations

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from syncadmin.celery import app as celery_app


def _check_db() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True, connection.vendor
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        return False, type(exc).__name__


def _check_redis() -> tuple[bool, str]:
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1
        )
        client.ping()
        return True, "ping ok"
    except Exception as exc:  # noqa: BLE001
        return False, type(exc).__name__


def _check_worker() -> tuple[bool, str]:
    try:
        replies = celery_app.control.ping(timeout=1.0)
    except Exception as exc:  # noqa: BLE001
        return False, type(exc).__name__
    if not replies:
        return False, "no worker answered"
    return True, f"{len(replies)} worker(s)"


def status(request: HttpRequest) -> HttpResponse:
    checks = {"database": _check_db(), "redis": _check_redis()}
    # Asking workers needs the broker; skip the wait when Redis is already down.
    checks["worker"] = _check_worker() if checks["redis"][0] else (False, "redis down")
    result = {name: {"up": up, "detail": detail} for name, (up, detail) in checks.items()}
    ok = all(up for up, _ in checks.values())
    code = 200 if ok else 503
    wants_json = request.GET.get("format") == "json" or "application/json" in request.headers.get(
        "Accept", ""
    )
    if wants_json:
        return JsonResponse({"ok": ok, "checks": result}, status=code)
    return render(request, "health/status.html", {"ok": ok, "checks": result}, status=code)
