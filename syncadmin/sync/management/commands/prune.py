"""Delete old API-usage rows, job runs and export files (issue 16, retention)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from syncadmin.sync import retention


class Command(BaseCommand):
    help = ("Delete API-usage rows, finished job runs and export files older than the "
            "RETENTION_* settings; prints what was deleted as JSON.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--only", choices=["usage", "runs", "exports"],
                            help="Prune one kind only.")

    def handle(self, *args: Any, only: str | None, **options: Any) -> None:
        prune = {"usage": retention.prune_usage, "runs": retention.prune_runs,
                 "exports": retention.prune_exports}.get(only or "", retention.prune_all)
        self.stdout.write(json.dumps(prune()))
