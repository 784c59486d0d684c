import os
import subprocess
import sys
import tempfile
import time
import uuid
import zlib
from pathlib import Path

import pytest

# Each xdist worker gets its own Redis database, so Celery queues and sync locks stay apart.
# Django's settings are already loaded when this file is imported (pytest-django), so the
# values are set on them as well as in the environment the worker processes inherit.
# Runs against different databases (several checkouts on one machine) get different Redis
# databases too, as far as Redis's 16 allow.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
_RUN = f"{os.environ.get('DATABASE_URL', '')}/{_WORKER}"
TEST_ENV = {
    "REDIS_URL": f"redis://127.0.0.1:6379/{1 + zlib.crc32(_RUN.encode()) % 15}",
    "SYNC_LOCK_SECONDS": "10",
    # The test process and its worker processes use different database URLs (the test
    # database): one explicit installation name keeps them on one Celery queue.
    "SYNCADMIN_INSTALLATION": f"test-{_WORKER}",
    "CELERY_VISIBILITY_TIMEOUT": "25",  # longer than any test job
    "CELERY_RESTORE_INTERVAL": "1",
    # Export files and the like go to a scratch folder, not the checkout's var/.
    "SYNCADMIN_VAR_DIR": tempfile.mkdtemp(prefix="syncadmin-test-var-"),
    # The `hs` fixture's search indexes writes at once, so change reads need no overlap
    # beyond the usual; tests of a lagging search set both (tests/sync/test_hs_search_lag.py).
    "HUBSPOT_SEARCH_LAG_SECONDS": "0",
}
os.environ.update(TEST_ENV)


def _apply_test_env() -> None:
    from django.conf import settings

    from syncadmin.celery import app

    settings.REDIS_URL = settings.CELERY_BROKER_URL = TEST_ENV["REDIS_URL"]
    settings.SYNC_LOCK_SECONDS = int(TEST_ENV["SYNC_LOCK_SECONDS"])
    settings.VAR_DIR = Path(TEST_ENV["SYNCADMIN_VAR_DIR"])
    settings.HUBSPOT_SEARCH_LAG_SECONDS = int(TEST_ENV["HUBSPOT_SEARCH_LAG_SECONDS"])
    app.conf.broker_url = TEST_ENV["REDIS_URL"]
    # Settings may have been read before this module set the environment.
    settings.INSTALLATION = TEST_ENV["SYNCADMIN_INSTALLATION"]
    settings.CELERY_TASK_DEFAULT_QUEUE = f"syncadmin-{settings.INSTALLATION}"
    app.conf.task_default_queue = settings.CELERY_TASK_DEFAULT_QUEUE


_apply_test_env()

pytest_plugins = [
    "tests.fixtures.sf",
    "tests.fixtures.hs",
]


@pytest.fixture
def make_member(django_user_model):
    """Creates a user who is a member of `account` with `role`."""
    from syncadmin.accounts.models import Membership

    def make(account, role="admin", username=None):
        user = django_user_model.objects.create_user(
            username=username or f"{role}-{account.pk}-{django_user_model.objects.count()}",
            password="pw-for-tests-1",
        )
        Membership.objects.create(user=user, account=account, role=role)
        return user

    return make


@pytest.fixture
def account(db):
    from syncadmin.accounts.models import Account

    return Account.objects.create(name="Acme")


@pytest.fixture
def other_account(db):
    from syncadmin.accounts.models import Account

    return Account.objects.create(name="Globex")


@pytest.fixture
def admin_client(client, account, make_member):
    client.force_login(make_member(account, "admin"))
    return client


@pytest.fixture
def viewer_client(client, account, make_member):
    client.force_login(make_member(account, "viewer"))
    return client


@pytest.fixture
def connected(account, sf, hs, tmp_path, settings):
    """`account` connected to fresh Salesforce and HubSpot emulators (one CA bundle)."""
    from pathlib import Path

    import redis

    redis.Redis.from_url(settings.REDIS_URL).flushdb()  # no sync lock of an earlier test

    bundle = tmp_path / "ca-bundle.pem"
    bundle.write_text(Path(sf.ca_file).read_text() + Path(hs.ca_file).read_text())
    account.sf_instance_url = sf.url
    account.sf_login_url = sf.sandbox_login_url
    account.sf_is_sandbox = True
    account.hubspot_host = hs.url
    account.hubspot_portal_id = str(hs.portal_id)
    account.tls_ca_file = str(bundle)
    account.sync_enabled = True
    account.save()
    creds = account.credentials
    creds.sf_access_token = sf.session_id
    creds.hs_access_token = hs.token
    creds.save()
    return account


class WorkerProcess:
    """A real Celery worker in its own process, on this test's database and Redis."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.proc: subprocess.Popen | None = None

    def start(self) -> "WorkerProcess":
        self.proc = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "celery", "-A", "syncadmin", "worker",
             "-l", os.environ.get("TEST_WORKER_LOG", "warning"),
             # Threads, not solo: the worker must answer pings while a job runs.
             "-c", "1", "-P", "threads", "--without-heartbeat", "--without-mingle",
             "--without-gossip", "-n", f"test-{uuid.uuid4().hex[:8]}@%h"],
            env=self.env,
        )
        from syncadmin.celery import app

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if app.control.ping(timeout=0.5):
                return self
        raise RuntimeError("the Celery worker did not start")

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()  # SIGKILL: no chance to acknowledge or clean up
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()


@pytest.fixture
def celery_worker_process(transactional_db, settings):
    """Real Celery worker processes for this test, on the test database and its own Redis
    database (flushed first, so no job or lock of another test leaks in)."""
    import redis
    from django.db import connection

    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    db = connection.settings_dict
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    url = f"postgres://{db['USER'] or 'postgres'}@{host}:{port}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": settings.REDIS_URL}
    workers: list[WorkerProcess] = []

    class Workers:
        def start(self) -> WorkerProcess:
            worker = WorkerProcess(env).start()
            workers.append(worker)
            return worker

        def running(self) -> WorkerProcess:
            alive = [w for w in workers if w.proc and w.proc.poll() is None]
            return alive[0] if alive else self.start()

    yield Workers()
    for worker in workers:
        if worker.proc and worker.proc.poll() is None:
            worker.kill()


@pytest.fixture
def via_worker(celery_worker_process, transactional_db):
    """Runs a sync job through Redis and the worker process; returns the finished run."""
    from syncadmin.sync.models import SyncRun
    from syncadmin.sync.tasks import run_sync

    def run(account, kind="poll", timeout=60):
        celery_worker_process.running()
        sync_run = SyncRun.objects.create(account=account, kind=kind)
        run_sync.delay(account.pk, kind, sync_run.pk)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            sync_run.refresh_from_db()
            if sync_run.finished_at:
                return sync_run
            time.sleep(0.1)
        raise AssertionError(f"sync run {sync_run.pk} did not finish: {sync_run.status}")

    return run
