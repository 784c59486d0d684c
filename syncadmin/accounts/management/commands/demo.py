"""`make demo`: migrate, create the demo admin, start the sandbox emulators, connect the demo
account to them, and run web + worker + beat together.

Redis: REDIS_URL if it answers, else a private redis-server on a spare port if one is
installed, else a clear message. Processes are run by honcho's manager.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from typing import Any

import redis
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from honcho.manager import Manager

from syncadmin.accounts.models import Account, Membership, Role

DEMO_USER = "admin"
DEMO_PASSWORD = "syncadmin-demo"  # noqa: S105 - printed on purpose; demo only
DEMO_ACCOUNT = "Demo portal"
# A modest set of every synced object, on top of the people, so each shows up in the demo.
DEMO_OBJECTS = {"accounts": 30, "opportunities": 60, "contact_roles_per_opportunity": 2,
                "cases": 20, "companies": 20, "deals": 30, "tickets": 15, "shipments": 25}


def _redis_up(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Command(BaseCommand):
    help = "Run the demo: web on 127.0.0.1:8000, a Celery worker and beat."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--setup-only", action="store_true", help="Prepare, don't serve.")
        parser.add_argument("--contacts", type=int, default=200,
                            help="People in the seeded sandbox data.")
        from syncadmin.sync.management.commands.sandbox import add_object_arguments

        add_object_arguments(parser, DEMO_OBJECTS)

    def handle(self, *args: Any, port: int, setup_only: bool, contacts: int,
               **options: Any) -> None:
        env = dict(os.environ)
        redis_url = settings.REDIS_URL
        if not _redis_up(redis_url):
            server = shutil.which("redis-server")
            if not server:
                raise CommandError(
                    f"Redis is not reachable at {redis_url} and redis-server is not installed. "
                    "Install Redis (apt-get install redis-server) or set REDIS_URL."
                )
            rport = _free_port()
            settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
            subprocess.run(  # noqa: S603
                [server, "--daemonize", "yes", "--bind", "127.0.0.1", "--port", str(rport),
                 "--save", "", "--appendonly", "no", "--dir", str(settings.VAR_DIR)],
                check=True,
            )
            redis_url = f"redis://127.0.0.1:{rport}/0"
            for _ in range(50):
                if _redis_up(redis_url):
                    break
                time.sleep(0.1)
            self.stdout.write(f"Started a private Redis at {redis_url}")
        env["REDIS_URL"] = redis_url

        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        account = self._demo_admin()
        if setup_only:
            self.stdout.write(self.style.SUCCESS(
                f"Demo prepared. user: {DEMO_USER}  password: {DEMO_PASSWORD}"))
            return
        from syncadmin.sync.management.commands.sandbox import object_options

        sandbox = self._start_sandbox(contacts, object_options(options))
        env.update(sandbox.env)
        from syncadmin.sync.management.commands.connect_sandbox import connect

        connect(account, sandbox.info)
        self._fresh_sync_state(account)
        self.stdout.write(self.style.SUCCESS(
            f"\nDemo ready: http://127.0.0.1:{port}/  "
            f"user: {DEMO_USER}  password: {DEMO_PASSWORD}\n"
        ))
        py = sys.executable
        manager = Manager()
        manager.add_process("web", f"{py} manage.py runserver 127.0.0.1:{port} --noreload",
                            env=env)
        manager.add_process("worker", f"{py} -m celery -A syncadmin worker -l info -c 2",
                            env=env)
        beat_file = settings.VAR_DIR / "celerybeat-schedule"
        manager.add_process("beat", f"{py} -m celery -A syncadmin beat -l info -s {beat_file}",
                            env=env)
        manager.loop()
        sys.exit(manager.returncode)

    def _start_sandbox(self, contacts: int, objects: dict[str, int]) -> Any:
        from syncadmin.sync.sandbox import start_sandbox

        sandbox = start_sandbox(settings.SANDBOX_STATE_DIR, contacts=contacts, **objects)
        self.stdout.write(f"Sandbox Salesforce at {sandbox.info['salesforce']}, "
                          f"HubSpot at {sandbox.info['hubspot']}")
        return sandbox

    def _fresh_sync_state(self, account: Account) -> None:
        """The emulators start with new data on every run: forget what the last run synced,
        and turn sync on so beat starts the initial sync right away."""
        from syncadmin.integration.models import ObjectSync, ValueMapping
        from syncadmin.sync.models import AssociationLink, RecordLink, SyncError, SyncRun, Watermark
        from syncadmin.usage.models import ApiUsage, ApiUsageHour, OrgLimit

        for model in (SyncError, AssociationLink, RecordLink, Watermark, SyncRun, ApiUsage,
                      ApiUsageHour, OrgLimit, ValueMapping):
            model.objects.filter(account=account).delete()
        # Every object syncs in the demo, so every tab and Sync Health row has records.
        ObjectSync.objects.filter(account=account).update(enabled=True)
        # A custom object too (E3); the new HubSpot emulator has no schema for it yet.
        ObjectSync.objects.update_or_create(
            account=account, object="custom", sf_object="Shipment__c",
            defaults={"enabled": True, "direction": "to_hubspot", "hs_object": "",
                      "lookups": {}})
        account.sync_enabled = True
        account.save(update_fields=["sync_enabled"])

    def _demo_admin(self) -> Account:
        user_model = get_user_model()
        user, created = user_model.objects.get_or_create(username=DEMO_USER)
        if created:
            user.set_password(DEMO_PASSWORD)
            user.is_staff = user.is_superuser = True
            user.save()
        account, _ = Account.objects.get_or_create(name=DEMO_ACCOUNT)
        Membership.objects.get_or_create(user=user, account=account,
                                         defaults={"role": Role.ADMIN})
        return account
