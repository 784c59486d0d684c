"""Run one sync of every enabled object in-process and print its figures as one JSON line.

Exit status tells the truth: 0 when the run succeeded, 1 when it failed or paused, 2 when
another run held the account (after waiting up to --wait seconds for it).
"""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from syncadmin.accounts.models import Account
from syncadmin.sync.models import RunStatus
from syncadmin.sync.service import run_account


class Command(BaseCommand):
    help = "Sync account NAME once (incremental, or --full); prints one JSON line."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--account", required=True)
        parser.add_argument("--full", action="store_true")
        parser.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                            help="If another run holds the account, wait for it this long.")

    def handle(self, *args: Any, account: str, full: bool, wait: float, **options: Any) -> None:
        try:
            obj = Account.objects.get(name=account)
        except Account.DoesNotExist:
            raise CommandError(f"No account named {account!r}") from None
        deadline = time.monotonic() + max(wait, 0.0)
        while True:
            run = run_account(obj, kind="full" if full else "poll")
            if run.status != RunStatus.SKIPPED or time.monotonic() >= deadline:
                break
            run.delete()  # a skipped attempt while waiting is not a job worth listing
            time.sleep(0.5)
        self.stdout.write(json.dumps({**run.counts, "status": run.status}))
        if run.status == RunStatus.SKIPPED:
            raise CommandError(
                f"Another sync of {account!r} is running; nothing was synced. "
                "Use --wait SECONDS to wait for it.", returncode=2)
        if run.status != RunStatus.SUCCEEDED:
            raise CommandError(f"The sync {run.status}: {run.message}", returncode=1)
