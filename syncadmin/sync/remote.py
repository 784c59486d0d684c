"""Builds the two adapters from an account's stored connection (DESIGN.md decisions 1, 6)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings

from syncadmin.accounts.models import Account
from syncadmin.usage.ledger import DbLedger, budget_for

if TYPE_CHECKING:
    from connectors.hubspot import HubSpotAdapter
    from connectors.salesforce import SalesforceAdapter


def _ca_file(account: Account) -> str | None:
    return account.tls_ca_file or settings.REMOTE_CA_FILE


def salesforce_for(account: Account, ledger: DbLedger | None = None) -> SalesforceAdapter:
    from connectors.salesforce import SalesforceAdapter, SalesforceConfig

    creds = account.credentials
    ledger = ledger or DbLedger(account)

    def saved(token: str) -> None:
        creds.sf_access_token = token
        creds.save(update_fields=["sf_access_token", "updated_at"])

    config = SalesforceConfig(
        instance_url=account.sf_instance_url,
        access_token=creds.sf_access_token,
        refresh_token=creds.sf_refresh_token,
        client_id=settings.SALESFORCE_CLIENT_ID,
        client_secret=settings.SALESFORCE_CLIENT_SECRET,
        login_url=account.sf_login_url or settings.SALESFORCE_LOGIN_URL,
        ca_file=_ca_file(account),
        bulk_threshold=settings.SYNC_BULK_THRESHOLD,
        bulk_poll_wait=settings.SYNC_BULK_POLL_MS / 1000,
    )
    return SalesforceAdapter(config, ledger, budget_for(account, ledger), on_token_refresh=saved)


def hubspot_for(account: Account, ledger: DbLedger | None = None) -> HubSpotAdapter:
    from connectors.hubspot import HubSpotAdapter, HubSpotConfig

    creds = account.credentials

    def saved(access: str, refresh: str, expires_at: datetime | None) -> None:
        creds.hs_access_token = access
        if refresh:
            creds.hs_refresh_token = refresh
        creds.hs_token_expires_at = expires_at
        creds.save(update_fields=["hs_access_token", "hs_refresh_token", "hs_token_expires_at",
                                  "updated_at"])

    config = HubSpotConfig(
        host=account.hubspot_host or settings.HUBSPOT_API_HOST,
        access_token=creds.hs_access_token,
        refresh_token=creds.hs_refresh_token,
        client_id=settings.HUBSPOT_CLIENT_ID,
        client_secret=settings.HUBSPOT_CLIENT_SECRET,
        token_expires_at=creds.hs_token_expires_at,
        ca_file=_ca_file(account),
        search_lag=settings.HUBSPOT_SEARCH_LAG_SECONDS,
    )
    return HubSpotAdapter(config, ledger or DbLedger(account), on_token_refresh=saved)
