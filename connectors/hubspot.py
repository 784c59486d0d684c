"""HubSpot adapter over hubspot-api-client (DESIGN.md decisions 1, 3, 4, 6, 7)."""

from __future__ import annotations

from typing import Any

from hubspot import HubSpot


def make_client(host: str, token: str, ca_file: str | None = None, **config: Any) -> HubSpot:
    """A hubspot.HubSpot client for `host` trusting `ca_file`.

    hubspot-api-client copies every keyword given to `HubSpot(...)` onto each sub-API's
    `Configuration` (discovery_base._default_api_factory), so `host=` and `ssl_ca_cert=` are the
    supported way to point it elsewhere. It speaks urllib3 directly, which ignores
    HTTPS_PROXY/REQUESTS_CA_BUNDLE; only an explicit `proxy=` would enable a proxy. Extra
    keywords (e.g. `api_factory`, `retry`) pass through.
    """
    return HubSpot(access_token=token, host=host.rstrip("/"), ssl_ca_cert=ca_file, **config)
