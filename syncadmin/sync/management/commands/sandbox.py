"""Serve both sandbox emulators over HTTPS and describe them in DIR/sandbox.json."""

from __future__ import annotations

import json
import signal
import threading
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from syncadmin.sync.sandbox import start_sandbox


class Command(BaseCommand):
    help = "Run the Salesforce and HubSpot sandbox emulators (HTTPS on 127.0.0.1)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--sf-port", type=int, default=8443)
        parser.add_argument("--hs-port", type=int, default=8444)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--contacts", type=int, default=200)
        parser.add_argument("--state-dir", default=str(settings.SANDBOX_STATE_DIR))

    def handle(self, *args: Any, sf_port: int, hs_port: int, seed: int, contacts: int,
               state_dir: str, **options: Any) -> None:
        if not settings.SANDBOX:
            raise CommandError("Sandbox mode is off (SYNCADMIN_SANDBOX=0): refusing to serve.")
        sandbox = start_sandbox(Path(state_dir), sf_port=sf_port, hs_port=hs_port, seed=seed,
                                contacts=contacts)
        self.stdout.write(json.dumps(sandbox.info))
        self.stdout.flush()
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            sandbox.stop()
