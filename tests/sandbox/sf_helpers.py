"""Shared helpers for the Salesforce emulator conformance tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from simple_salesforce.exceptions import SalesforceError

from connectors.sandbox.sf_common import DEMO_USERNAME


def sf_error(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[int, str, dict]:
    """Call a simple-salesforce method that must fail; return (status, errorCode, first error)."""
    with pytest.raises(SalesforceError) as info:
        fn(*args, **kwargs)
    e = info.value
    content = e.content
    assert isinstance(content, list) and content, content
    return e.status, content[0]["errorCode"], dict(content[0])


def contact(i: int, **extra: Any) -> dict:
    return {"FirstName": "Ann", "LastName": f"Lee{i}", "Email": f"ann{i}@example.com", **extra}


def grant_field_access(sf_client: Any, obj: str, field: str, *, edit: bool = True) -> str:
    """What an admin does for a field the Tooling API made (no one sees it until then): a
    permission set granting it, assigned to the integration user. Returns the set's id."""
    found = sf_client.query("SELECT Id FROM PermissionSet WHERE Name = 'Test_Integration'")
    ps = (found["records"][0]["Id"] if found["records"] else sf_client.PermissionSet.create(
        {"Name": "Test_Integration", "Label": "Test integration"})["id"])
    user = sf_client.query(f"SELECT Id FROM User WHERE Username = '{DEMO_USERNAME}'")[
        "records"][0]["Id"]
    assigned = sf_client.query("SELECT Id FROM PermissionSetAssignment WHERE "  # noqa: S608
                               f"PermissionSetId = '{ps}' AND AssigneeId = '{user}'")
    if not assigned["records"]:
        sf_client.PermissionSetAssignment.create({"PermissionSetId": ps, "AssigneeId": user})
    sf_client.FieldPermissions.create({"ParentId": ps, "SobjectType": obj,
                                       "Field": f"{obj}.{field}", "PermissionsRead": True,
                                       "PermissionsEdit": edit})
    return str(ps)


def create_hubspot_id_field(sf_client: Any) -> Any:
    """Creates Contact.HubSpot_Id__c (external id, unique) through the Tooling API and grants
    the integration user access to it."""
    res = sf_client.restful(
        "tooling/sobjects/CustomField/",
        method="POST",
        json={
            "FullName": "Contact.HubSpot_Id__c",
            "Metadata": {
                "type": "Text",
                "length": 64,
                "externalId": True,
                "unique": True,
                "label": "HubSpot Id",
            },
        },
    )
    grant_field_access(sf_client, "Contact", "HubSpot_Id__c")
    return res
