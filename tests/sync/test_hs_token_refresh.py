"""A sync refreshes a HubSpot OAuth token that is about to expire before using it, through
the v3 token endpoint, and stores the new token and its expiry (FEATURES A2; issue 15,
point 5)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from syncadmin.sync.service import run_account
from tests.sync.helpers import people

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_token_about_to_expire_is_refreshed_before_the_run_uses_it(connected, sf, hs,
                                                                    settings):
    settings.HUBSPOT_CLIENT_ID, settings.HUBSPOT_CLIENT_SECRET = hs.client_id, hs.client_secret
    pair = hs.control.issue_oauth()
    creds = connected.credentials
    creds.hs_access_token, creds.hs_refresh_token = pair["access_token"], pair["refresh_token"]
    creds.hs_token_expires_at = timezone.now() + timedelta(seconds=30)  # what we were told
    creds.save()
    sf.control.insert("Contact", people("Sf", 2))

    run = run_account(connected, kind="full")

    assert run.status == "succeeded", run.message
    creds.refresh_from_db()
    assert creds.hs_access_token != pair["access_token"]
    assert creds.hs_refresh_token == pair["refresh_token"]
    assert creds.hs_token_expires_at > timezone.now() + timedelta(minutes=25)
    usage = hs.control.usage()
    assert usage["by_endpoint"]["POST oauth_token_v3"] == 1
    assert "POST oauth_token" not in usage["by_endpoint"]  # the retiring v1
    # HubSpot still honoured the old token (the emulator's last 30 minutes): only the stored
    # expiry can have made the run refresh it.
