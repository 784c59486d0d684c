"""The audit log is readable (issue 17, defect 5): each change names its object, shows field
labels and value labels in the reader's language (not codes, not the writer's language),
and the log has filters and pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from syncadmin.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def _tab(account, key):
    return reverse(f"integration:{key}", kwargs={"account_id": account.pk})


def _log(client, account, query=""):
    return client.get(reverse("integration:audit", kwargs={"account_id": account.pk}) + query)


def test_a_change_names_its_object_and_shows_labels_in_the_readers_language(
        admin_client, account):
    admin_client.cookies["django_language"] = "it"  # the writer reads Italian
    assert admin_client.post(_tab(account, "deals"), {"_field": "direction",
                                                      "direction": "to_hubspot"},
                             **HX).status_code == 200
    entry = AuditEntry.objects.get(account=account, action="change")
    assert (entry.object, entry.model) == ("deals", "integration.objectsync")
    assert entry.changes == {"direction": ["two_way", "to_hubspot"]}  # raw, language-free

    admin_client.cookies["django_language"] = "en"  # the reader reads English
    html = _log(admin_client, account).content.decode()
    row = html[html.index("<tbody>"):]
    assert "Deals" in row and "Sync direction" in row
    assert "Two-way → Only to HubSpot" in row
    assert "two_way" not in row and "to_hubspot" not in row


def test_filters_by_object_and_person_and_pages(admin_client, account, make_member):
    admin_client.post(_tab(account, "deals"), {"_field": "direction", "direction": "to_hubspot"},
                      **HX)
    admin_client.post(_tab(account, "companies"), {"_field": "enabled", "enabled": "on"}, **HX)
    deals = _log(admin_client, account, "?object=deals").content.decode()
    body = deals[deals.index("<tbody>"):]
    assert "Sync direction" in body and "Sync on" not in body
    nobody = make_member(account, "viewer", username="vera")
    none = _log(admin_client, account, f"?user={nobody.pk}").content.decode()
    assert "No changes match these filters." in none
    AuditEntry.objects.bulk_create([AuditEntry(account=account, action="change", target=f"t{i}",
                                               object="tickets") for i in range(60)])
    first = _log(admin_client, account, "?object=tickets").content.decode()
    assert "Page 1 of 2" in first and "object=tickets&amp;page=2" in first
