"""Starts both sandbox emulators in this process, for the `sandbox` and `demo` commands."""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connectors.sandbox.hubspot import HubSpotHandle, start_hubspot
from connectors.sandbox.salesforce import SalesforceHandle, start_salesforce
from connectors.sandbox.server import LocalCA


def _port_or_free(port: int) -> int:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return 0
    return port


@dataclass
class Sandbox:
    sf: SalesforceHandle
    hs: HubSpotHandle
    info: dict[str, Any]

    @property
    def env(self) -> dict[str, str]:
        """Settings that point the app's OAuth flows and clients at the emulators."""
        return {
            "SALESFORCE_CLIENT_ID": self.sf.client_id,
            "SALESFORCE_CLIENT_SECRET": self.sf.client_secret,
            "SALESFORCE_LOGIN_URL": self.sf.login_url,
            "SALESFORCE_SANDBOX_LOGIN_URL": self.sf.sandbox_login_url,
            "HUBSPOT_CLIENT_ID": self.hs.client_id,
            "HUBSPOT_CLIENT_SECRET": self.hs.client_secret,
            "HUBSPOT_API_HOST": self.hs.url,
            "HUBSPOT_AUTH_URL": f"{self.hs.url}/oauth/authorize",
            "REMOTE_CA_FILE": self.info["ca"],
        }

    def stop(self) -> None:
        self.sf.stop()
        self.hs.stop()


SF_OBJECTS = ("accounts", "opportunities", "contact_roles_per_opportunity", "cases",
              "shipments")
HS_OBJECTS = ("companies", "deals", "tickets")


def start_sandbox(state_dir: Path, *, sf_port: int = 8443, hs_port: int = 8444,
                  seed: int = 1, contacts: int = 200, **objects: int) -> Sandbox:
    """Start both emulators seeded with `contacts` people (seed.generate) plus `objects`:
    accounts, opportunities, contact_roles_per_opportunity, cases (Salesforce) and
    companies, deals, tickets (HubSpot), all 0 by default."""
    unknown = set(objects) - set(SF_OBJECTS) - set(HS_OBJECTS)
    if unknown:
        raise TypeError(f"unknown seed options: {sorted(unknown)}")
    sf_objects = {k: int(v) for k, v in objects.items() if k in SF_OBJECTS and v}
    hs_objects = {k: int(v) for k, v in objects.items() if k in HS_OBJECTS and v}
    state_dir.mkdir(parents=True, exist_ok=True)
    ca = LocalCA()
    ca_file = ca.write_ca(state_dir / "ca.pem")
    sf = start_salesforce(ca, _port_or_free(sf_port), seed=seed,
                          contacts=0 if sf_objects else contacts, ca_file=ca_file)
    if sf_objects:
        with sf.org.lock:
            sf.org.load_seed(seed, contacts, **sf_objects)
    hs = start_hubspot(ca, _port_or_free(hs_port), seed=seed, contacts=contacts,
                       ca_file=ca_file, **hs_objects)
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
    (state_dir / "sandbox.json").write_text(json.dumps(info, indent=2))
    return Sandbox(sf=sf, hs=hs, info=info)
