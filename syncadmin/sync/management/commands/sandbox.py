"""Serve both sandbox emulators over HTTPS and describe them in DIR/sandbox.json."""

from __future__ import annotations

import json
import signal
import threading
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from connectors.sandbox.hubspot import start_hubspot
from connectors.sandbox.salesforce import start_salesforce
from connectors.sandbox.server import LocalCA


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
        state = Path(state_dir)
        state.mkdir(parents=True, exist_ok=True)
        ca = LocalCA()
        ca_file = ca.write_ca(state / "ca.pem")
        sf = start_salesforce(ca, sf_port, seed=seed, contacts=contacts, ca_file=ca_file)
        # The seed generator already splits people between the two sides.
        hs = start_hubspot(ca, hs_port, seed=seed, contacts=contacts, ca_file=ca_file)
        info = {
            "salesforce": sf.url,
            "salesforce_login": sf.login_url,
            "salesforce_sandbox_login": sf.sandbox_login_url,
            "hubspot": hs.url,
            "ca": str(ca_file),
            "sf_session_id": sf.session_id,
            "sf_client_id": sf.client_id,
            "sf_client_secret": sf.client_secret,
            "hs_token": hs.token,
            "hs_portal_id": hs.portal_id,
            "hs_client_id": hs.client_id,
            "hs_client_secret": hs.client_secret,
        }
        (state / "sandbox.json").write_text(json.dumps(info, indent=2))
        self.stdout.write(json.dumps(info))
        self.stdout.flush()
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            sf.stop()
            hs.stop()
