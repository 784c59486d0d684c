"""Serve both sandbox emulators over HTTPS and describe them in DIR/sandbox.json."""

from __future__ import annotations

import json
import signal
import threading
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from syncadmin.sync.sandbox import HS_OBJECTS, SF_OBJECTS, start_sandbox

OBJECT_HELP = {
    "accounts": "Salesforce Accounts, each with 1-3 Contacts",
    "opportunities": "Salesforce Opportunities over those Accounts",
    "contact_roles_per_opportunity": "OpportunityContactRoles per Opportunity",
    "cases": "Salesforce Cases (AccountId + ContactId)",
    "shipments": "Salesforce Shipment__c records, a custom object with lookups to Contact "
                 "and Account",
    "companies": "HubSpot companies with contacts (half of min(accounts, companies) also "
                 "exist in Salesforce, matching by name and/or domain)",
    "deals": "HubSpot deals associated to companies and contacts",
    "tickets": "HubSpot tickets associated to contacts and companies",
}


def add_object_arguments(parser: Any, defaults: dict[str, int] | None = None) -> None:
    """--accounts N --opportunities N --contact-roles-per-opportunity K --cases N
    --companies N --deals N --tickets N (default 0: only the people of --contacts)."""
    for name in (*SF_OBJECTS, *HS_OBJECTS):
        parser.add_argument("--" + name.replace("_", "-"), type=int,
                            default=(defaults or {}).get(name, 0), help=OBJECT_HELP[name])


def object_options(options: dict[str, Any]) -> dict[str, int]:
    return {k: int(options.get(k) or 0) for k in (*SF_OBJECTS, *HS_OBJECTS)}


class Command(BaseCommand):
    help = "Run the Salesforce and HubSpot sandbox emulators (HTTPS on 127.0.0.1)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--sf-port", type=int, default=8443)
        parser.add_argument("--hs-port", type=int, default=8444)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--contacts", type=int, default=200)
        parser.add_argument("--state-dir", default=str(settings.SANDBOX_STATE_DIR))
        add_object_arguments(parser)

    def handle(self, *args: Any, sf_port: int, hs_port: int, seed: int, contacts: int,
               state_dir: str, **options: Any) -> None:
        if not settings.SANDBOX:
            raise CommandError("Sandbox mode is off (SYNCADMIN_SANDBOX=0): refusing to serve.")
        sandbox = start_sandbox(Path(state_dir), sf_port=sf_port, hs_port=hs_port, seed=seed,
                                contacts=contacts, **object_options(options))
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
