"""HubSpot OAuth tokens through the adapter (issue 15, point 5): the v3 token endpoints, and
a refresh before expiry (FEATURES A2) rather than after a 401. Through hubspot-api-client's
own ApiClient, against the emulator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from connectors.errors import Kind, RemoteError
from connectors.hubspot import HubSpotAdapter, HubSpotConfig
from connectors.usage import MemoryLedger


def oauth_adapter(hs, pair, expires_at, seen, **kw) -> tuple[HubSpotAdapter, MemoryLedger]:
    ledger = MemoryLedger()
    cfg = HubSpotConfig(host=hs.url, access_token=pair["access_token"],
                        refresh_token=pair["refresh_token"], client_id=hs.client_id,
                        client_secret=hs.client_secret, token_expires_at=expires_at,
                        ca_file=hs.ca_file, **kw)
    return HubSpotAdapter(cfg, ledger, on_token_refresh=lambda *a: seen.append(a)), ledger


def endpoints(ledger: MemoryLedger) -> list[str]:
    return [e for _, e, _ in ledger.calls]


def test_a_token_near_expiry_is_refreshed_before_the_call(hs):
    pair, seen = hs.control.issue_oauth(), []
    soon = datetime.now(UTC) + timedelta(seconds=60)  # inside the 5-minute margin
    hsa, ledger = oauth_adapter(hs, pair, soon, seen)
    hsa.get_many("contacts", ["1"], [])
    assert endpoints(ledger) == ["POST /oauth/v3/token", "POST /crm/v3/objects/contacts/batch/read"]
    [(access, refresh, expires_at)] = seen
    assert access != pair["access_token"] and refresh == pair["refresh_token"]
    assert expires_at - datetime.now(UTC) > timedelta(seconds=1700)  # the emulator's 1,800 s
    assert hs.control.usage()["rejected"] == 0  # no 401 on the way

    # The new expiry is far: the next call does not refresh again.
    hsa.get_many("contacts", ["1"], [])
    assert len(seen) == 1 and hsa.calls == 3


def test_a_token_far_from_expiry_or_of_unknown_expiry_is_used_as_is(hs):
    for expires_at in (datetime.now(UTC) + timedelta(hours=1), None):
        pair, seen = hs.control.issue_oauth(), []
        hsa, ledger = oauth_adapter(hs, pair, expires_at, seen)
        hsa.get_many("contacts", ["1"], [])
        assert seen == [] and endpoints(ledger) == ["POST /crm/v3/objects/contacts/batch/read"]


def test_a_refused_refresh_is_auth_expired_with_hubspots_reason(hs):
    pair, seen = hs.control.issue_oauth(), []
    hsa, _ = oauth_adapter(hs, {**pair, "refresh_token": "revoked"},
                           datetime.now(UTC) - timedelta(seconds=1), seen)
    with pytest.raises(RemoteError) as info:
        hsa.get_many("contacts", ["1"], [])
    assert info.value.kind == Kind.AUTH_EXPIRED and info.value.status == 400
    assert "Token refresh failed" in info.value.message and seen == []


def test_token_info_is_v3_introspection(hs):
    pair, seen = hs.control.issue_oauth(), []
    hsa, ledger = oauth_adapter(hs, pair, None, seen)
    info = hsa.token_info()
    assert info["active"] is True and info["hub_id"] == hs.portal_id
    assert info["token_use"] == "access_token" and 0 < info["expires_in"] <= 1800
    assert hsa.portal_id() == str(hs.portal_id)
    assert endpoints(ledger) == ["POST /oauth/v3/token/introspect", "GET /account-info/v3/details"]
    hs.control.expire(pair["access_token"])
    assert hsa.token_info() == {"active": False}
