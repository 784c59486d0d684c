"""The HubSpot Id fields the sync creates are granted to its integration user (issue 15,
point 1); when the user may not grant them, the run stops with one "Permissions" card that
says how to fix it, and the next run after the fix goes on and clears it."""

from __future__ import annotations

import pytest

from connectors.errors import Kind, RemoteError
from syncadmin.health.dashboard import error_cards
from syncadmin.sync.models import RunStatus, SyncError, SyncRun
from syncadmin.sync.service import run_account
from tests.sync.helpers import hs_contacts

pytestmark = pytest.mark.django_db(transaction=True)


def test_permissions_card_until_the_integration_user_may_grant_field_access(
        connected, sf, sf_client, hs_client):
    sf.control.insert("Contact", [{"LastName": "Lee", "Email": "lee@example.com"}])
    sf.control.permissions(manage_permission_sets=False)
    with pytest.raises(RemoteError) as info:
        run_account(connected, kind="full")
    assert info.value.kind == Kind.PERMISSIONS
    run = SyncRun.objects.filter(account=connected).latest("pk")
    assert run.status == RunStatus.FAILED and "Manage Profiles and Permission Sets" in run.message
    [card] = error_cards(connected)
    assert (card.kind, str(card.label)) == ("permissions", "Permissions")
    assert "Manage Profiles and Permission Sets" in str(card.fix)
    assert "HubSpot_Id__c" in str(card.fix)
    assert hs_contacts(hs_client) == []
    # The field exists but stays hidden from the integration user until it is granted.
    assert "HubSpot_Id__c" not in {f["name"] for f in sf_client.Contact.describe()["fields"]}

    sf.control.permissions(manage_permission_sets=True)  # an admin gave the permission
    run = run_account(connected, kind="full")
    assert run.status == RunStatus.SUCCEEDED, run.message
    assert [c["email"] for c in hs_contacts(hs_client)] == ["lee@example.com"]
    assert not SyncError.objects.filter(account=connected, kind="permissions").exists()
    # Granted: the integration user now reads the field (no INVALID_FIELD).
    assert sf_client.query("SELECT HubSpot_Id__c FROM Contact")["totalSize"] == 1
