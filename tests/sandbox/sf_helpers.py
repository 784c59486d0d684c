"""Shared helpers for the Salesforce emulator conformance tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from simple_salesforce.exceptions import SalesforceError


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


def create_hubspot_id_field(sf_client: Any) -> Any:
    """Creates Contact.HubSpot_Id__c (external id, unique) through the Tooling API."""
    return sf_client.restful(
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
