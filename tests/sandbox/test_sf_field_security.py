"""Field-level security (issue 15, point 1): a custom field the Tooling API made is hidden
from the integration user (describe, SOQL, writes) until a FieldPermissions record in a
permission set assigned to the user grants it; without "Manage Profiles and Permission Sets"
the user cannot grant it."""

from __future__ import annotations

from simple_salesforce import Salesforce

from connectors.sandbox.salesforce import SalesforceHandle
from tests.sandbox.sf_helpers import DEMO_USERNAME, contact, grant_field_access, sf_error

FIELD = "Region__c"


def _make_field(sf_client: Salesforce) -> None:
    sf_client.restful("tooling/sobjects/CustomField/", method="POST", json={
        "FullName": f"Contact.{FIELD}", "Metadata": {"type": "Text", "length": 40,
                                                     "label": "Region"}})


def _names(sf_client: Salesforce) -> set[str]:
    return {f["name"] for f in sf_client.Contact.describe()["fields"]}


def test_a_new_field_is_hidden_until_granted(sf_client: Salesforce) -> None:
    _make_field(sf_client)
    assert FIELD not in _names(sf_client)
    status, code, _ = sf_error(sf_client.query, f"SELECT Id, {FIELD} FROM Contact")
    assert (status, code) == (400, "INVALID_FIELD")
    status, code, _ = sf_error(sf_client.Contact.create, contact(1, **{FIELD: "North"}))
    assert (status, code) == (400, "INVALID_FIELD")
    grant_field_access(sf_client, "Contact", FIELD, edit=False)  # read only
    fields = {f["name"]: f for f in sf_client.Contact.describe()["fields"]}
    assert not fields[FIELD]["updateable"] and not fields[FIELD]["createable"]
    assert sf_client.query(f"SELECT {FIELD} FROM Contact")["totalSize"] == 0
    status, code, _ = sf_error(sf_client.Contact.create, contact(1, **{FIELD: "North"}))
    assert (status, code) == (400, "INVALID_FIELD_FOR_INSERT_UPDATE")
    [perm] = sf_client.query("SELECT Id FROM FieldPermissions WHERE Field = "
                             f"'Contact.{FIELD}'")["records"]
    sf_client.FieldPermissions.update(perm["Id"], {"PermissionsEdit": True})
    rid = sf_client.Contact.create(contact(1, **{FIELD: "North"}))["id"]
    assert sf_client.Contact.get(rid)[FIELD] == "North"


def test_only_an_assigned_permission_set_grants(sf_client: Salesforce) -> None:
    _make_field(sf_client)
    ps = sf_client.PermissionSet.create({"Name": "Unassigned", "Label": "Unassigned"})["id"]
    sf_client.FieldPermissions.create({"ParentId": ps, "SobjectType": "Contact",
                                       "Field": f"Contact.{FIELD}", "PermissionsRead": True,
                                       "PermissionsEdit": True})
    assert FIELD not in _names(sf_client)
    user = sf_client.query(f"SELECT Id FROM User WHERE Username = '{DEMO_USERNAME}'")[
        "records"][0]["Id"]
    sf_client.PermissionSetAssignment.create({"PermissionSetId": ps, "AssigneeId": user})
    assert FIELD in _names(sf_client)
    status, code, _ = sf_error(sf_client.PermissionSetAssignment.create,
                               {"PermissionSetId": ps, "AssigneeId": user})
    assert (status, code) == (400, "DUPLICATE_VALUE")
    status, code, _ = sf_error(sf_client.FieldPermissions.create, {
        "ParentId": ps, "SobjectType": "Contact", "Field": "Contact.Nope__c",
        "PermissionsRead": True})
    assert (status, code) == (400, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST")


def test_without_manage_permission_sets_nothing_can_be_granted(
    sf_client: Salesforce, sf: SalesforceHandle
) -> None:
    _make_field(sf_client)
    ps = sf_client.PermissionSet.create({"Name": "Before", "Label": "Before"})["id"]
    sf.control.permissions(manage_permission_sets=False)
    for create, body in (
        (sf_client.PermissionSet.create, {"Name": "X", "Label": "X"}),
        (sf_client.FieldPermissions.create, {"ParentId": ps, "SobjectType": "Contact",
                                             "Field": f"Contact.{FIELD}",
                                             "PermissionsRead": True}),
    ):
        status, code, _ = sf_error(create, body)
        assert (status, code) == (400, "INSUFFICIENT_ACCESS_OR_READONLY")
    assert FIELD not in _names(sf_client)
    assert sf.control.permissions()["guarded"] == [f"Contact.{FIELD}"]
    status, code, _ = sf_error(_make_field, sf_client)  # it exists, though unseen
    assert (status, code) == (400, "DUPLICATE_DEVELOPER_NAME")
