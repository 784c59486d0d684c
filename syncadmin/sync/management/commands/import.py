"""Import every record of one Salesforce object into HubSpot, in-process (FEATURES E4), and
print its figures as one JSON line.

Exit status tells the truth: 0 when every record was imported; 1 when the import failed,
paused (API allocation), was cancelled or left records failed, or could not start (unknown
account or object); 2 when another job held the account (after waiting up to --wait).
"""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from syncadmin.accounts.models import Account
from syncadmin.sync import imports
from syncadmin.sync.models import RunStatus, SyncRun


class Command(BaseCommand):
    help = "Import every record of a Salesforce object into HubSpot; prints one JSON line."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--account", required=True)
        parser.add_argument("--object", required=True, metavar="API_NAME",
                            help="Contact, Lead, Account, Opportunity, Case, or a custom "
                                 "object added on the account's Custom objects tab.")
        parser.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                            help="If another job holds the account, wait for it this long.")

    def handle(self, *args: Any, account: str, object: str, wait: float,  # noqa: A002
               **options: Any) -> None:
        try:
            obj = Account.objects.get(name=account)
        except Account.DoesNotExist:
            raise CommandError(f"No account named {account!r}") from None
        if imports.key_of(obj, object) is None:
            names = ", ".join(name for name, _label in imports.importable(obj))
            raise CommandError(f"{object!r} cannot be imported into {account!r}; "
                               f"choose one of: {names}")
        deadline = time.monotonic() + max(wait, 0.0)
        run = imports.new_run(obj, object)
        while True:
            try:
                run = imports.import_object(obj, run)
            except Exception:  # noqa: BLE001 - recorded on the run; reported below
                run = SyncRun.objects.get(pk=run.pk)
            if run.status != RunStatus.SKIPPED or time.monotonic() >= deadline:
                break
            time.sleep(0.5)
        figures = imports.summary(run)
        self.stdout.write(json.dumps(figures))
        if run.status == RunStatus.SKIPPED:
            raise CommandError(
                f"Another job of {account!r} is running; nothing was imported. "
                "Use --wait SECONDS to wait for it.", returncode=2)
        if run.status != RunStatus.SUCCEEDED:
            raise CommandError(f"The import {run.status}: {run.message}", returncode=1)
        if figures["failed"]:
            raise CommandError(f"{figures['failed']} records failed; see Sync Health.",
                               returncode=1)
