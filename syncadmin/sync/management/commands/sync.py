"""Run one contact sync in-process and print its figures as one JSON line."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from syncadmin.accounts.models import Account
from syncadmin.sync.service import run_account


class Command(BaseCommand):
    help = "Sync account NAME once (incremental, or --full)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--account", required=True)
        parser.add_argument("--full", action="store_true")

    def handle(self, *args: Any, account: str, full: bool, **options: Any) -> None:
        try:
            obj = Account.objects.get(name=account)
        except Account.DoesNotExist:
            raise CommandError(f"No account named {account!r}") from None
        run = run_account(obj, kind="full" if full else "poll")
        self.stdout.write(json.dumps({**run.counts, "status": run.status}))
