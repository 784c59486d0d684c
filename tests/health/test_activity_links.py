"""Salesforce activities synced to HubSpot are record links of object "activities": Sync
Health's pages show them and their errors without a registry spec (H5, H7)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from syncadmin.sync.models import LinkStatus, RecordLink, SyncError

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("page", ["dashboard", "objects", "records", "cards"])
def test_health_pages_render_activity_links_and_their_errors(admin_client, account, page):
    link = RecordLink.objects.create(account=account, object="activities", sf_object="Task",
                                     sf_id="00T000000000001AAA", hs_id="501",
                                     label="Call Ann back", status=LinkStatus.IN_SYNC)
    SyncError.objects.create(account=account, link=link, object="activities",
                             kind="generic", direction="to_hs", message="refused")
    SyncError.objects.create(account=account, link=None, object="activities",
                             kind="validation_rule", direction="to_sf", message="no")
    r = admin_client.get(reverse(f"health:{page}", kwargs={"account_id": account.pk}))
    assert r.status_code == 200
    if page == "records":
        assert "Call Ann back" in r.content.decode()
