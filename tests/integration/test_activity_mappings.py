"""The Activities tab's Salesforce → HubSpot part (FEATURES G5): property mappings per kind
with edit, remove and "Add new mapping", owners refused, and the notes the seed asks for."""

from __future__ import annotations

import pytest
from django.urls import reverse

from syncadmin.integration.models import ActivityMapping, SfActivitySetting

pytestmark = pytest.mark.django_db


def tab(account, kind="calls"):
    return reverse("integration:sf_activity", kwargs={"account_id": account.pk, "kind": kind})


def test_the_tab_lists_the_kinds_default_mappings_and_says_what_does_not_sync(
        admin_client, account):
    page = admin_client.get(tab(account, "meetings")).content.decode()
    assert "hs_meeting_start_time" in page and "StartDateTime" in page
    assert "Add new mapping" in page
    assert "Einstein Activity Capture" in page
    assert "owners are not synced" in page.lower()


def test_add_new_mapping_then_edit_and_remove_it(admin_client, account):
    admin_client.get(tab(account))  # defaults exist once the tab was seen
    add = reverse("integration:activity_mapping_add",
                  kwargs={"account_id": account.pk, "kind": "calls"})
    r = admin_client.post(add, {"new-sf_field": "CallDisposition",
                                "new-hs_property": "hs_call_disposition", "new-enabled": "on"})
    assert r.status_code == 302 and r["Location"].endswith("#activity-mappings")
    row = ActivityMapping.objects.get(account=account, kind="calls",
                                      hs_property="hs_call_disposition")
    assert (row.sf_field, row.enabled) == ("CallDisposition", True)
    url = reverse("integration:activity_mapping", kwargs={"account_id": account.pk,
                                                          "pk": row.pk})
    admin_client.post(url, {f"m{row.pk}-sf_field": "Description",
                            f"m{row.pk}-hs_property": "hs_call_disposition"})
    row.refresh_from_db()
    assert (row.sf_field, row.enabled) == ("Description", False)  # unticked = off
    admin_client.post(url, {"remove": "1"})
    assert not ActivityMapping.objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize(("sf_field", "hs_property"), [("OwnerId", "hs_call_owner_x"),
                                                       ("Subject", "hubspot_owner_id"),
                                                       ("Subject", "hs_call_title")])
def test_owners_and_taken_properties_are_refused(admin_client, account, sf_field,
                                                 hs_property):
    admin_client.get(tab(account))
    before = ActivityMapping.objects.filter(account=account).count()
    add = reverse("integration:activity_mapping_add",
                  kwargs={"account_id": account.pk, "kind": "calls"})
    r = admin_client.post(add, {"new-sf_field": sf_field, "new-hs_property": hs_property},
                          follow=True)
    assert ActivityMapping.objects.filter(account=account).count() == before
    text = r.content.decode()
    assert "not synced" in text or "already mapped" in text


def test_a_viewer_cannot_add_mappings(viewer_client, account):
    add = reverse("integration:activity_mapping_add",
                  kwargs={"account_id": account.pk, "kind": "tasks"})
    assert viewer_client.post(add, {"new-sf_field": "Subject",
                                    "new-hs_property": "hs_task_x"}).status_code == 403


def test_turning_a_kind_on_stamps_when_so_nothing_older_is_backfilled(admin_client, account):
    s, _ = SfActivitySetting.objects.get_or_create(account=account, kind="tasks")
    s.enabled = False
    s.save()
    assert s.enabled_at is None
    s.enabled = True
    s.save()
    assert s.enabled_at is not None
    s.enabled = False
    s.save()
    assert s.enabled_at is None
