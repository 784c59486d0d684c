"""Two installations sharing one Redis never block or run each other's jobs (issue 16):
the sync lock, cache keys and the Celery queue carry the installation's name."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from syncadmin.sync.service import account_lock


def installation_of(database_url: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "SYNCADMIN_INSTALLATION"}
    env["DATABASE_URL"] = database_url
    out = subprocess.run(  # noqa: S603 - our own interpreter and settings
        [sys.executable, "-c", "import django, os; os.environ.setdefault("
         "'DJANGO_SETTINGS_MODULE', 'syncadmin.settings'); django.setup(); "
         "from django.conf import settings as s; "
         "print(s.INSTALLATION, s.CELERY_TASK_DEFAULT_QUEUE)"],
        env=env, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_installations_with_their_own_databases_get_their_own_names():
    one = installation_of("sqlite:////tmp/one/syncadmin.sqlite3")
    two = installation_of("sqlite:////tmp/two/syncadmin.sqlite3")
    assert one != two
    assert one == installation_of("sqlite:////tmp/one/syncadmin.sqlite3")  # stable
    name, queue = one.split()
    assert queue == f"syncadmin-{name}"  # the Celery queue carries it too


@pytest.mark.django_db
def test_the_sync_lock_of_account_1_differs_between_installations(account, settings):
    settings.INSTALLATION = "alpha"
    alpha = account_lock(account)
    settings.INSTALLATION = "beta"
    beta = account_lock(account)
    assert alpha.name != beta.name
    assert alpha.acquire(blocking=False)
    try:
        assert beta.acquire(blocking=False)  # the other installation is not blocked
        beta.release()
    finally:
        alpha.release()

