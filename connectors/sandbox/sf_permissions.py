"""Field-level security for the custom fields the integration creates (issue 15, point 1).

A custom field created through the Tooling API is visible to no one until field permissions
grant it: "To grant a user access to a field, associate a FieldPermissions record with a
PermissionSet that's assigned to a user" (https://developer.salesforce.com/docs/atlas.en-us.
api.meta/api/sforce_api_objects_fieldpermissions.htm). Until then the integration user's
describe does not list it, SOQL naming it answers INVALID_FIELD ("No such column") and writes
naming it INVALID_FIELD; with read but not edit access, writes answer
INVALID_FIELD_FOR_INSERT_UPDATE.

Emulated: the PermissionSet, PermissionSetAssignment and FieldPermissions objects (create,
read, query, delete through the data API; one assignment per user and set, one
FieldPermissions per set and field: DUPLICATE_VALUE), and the permission an integration user
may lack, "Manage Profiles and Permission Sets" (the control API's ``permissions``
``{"manage_permission_sets": false}``), without which writes to those objects answer
INSUFFICIENT_ACCESS_OR_READONLY, the status code for "you don't have sufficient permissions"
(https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_concepts_core_data_objects.htm).

Not emulated: profiles and their field permissions (fields the emulator defines are visible
to the integration user, as through the System Administrator profile), permission set
groups, muting, ObjectPermissions, expiry of assignments, FLS on the control API and on
Bulk API 2.0 jobs processed outside a request.
"""

from __future__ import annotations

from typing import Any

from connectors.sandbox.sf_common import ApiError
from connectors.sandbox.sf_schema import FieldDef, _system_fields

PERMISSION_SET = "PermissionSet"
ASSIGNMENT = "PermissionSetAssignment"
FIELD_PERMISSIONS = "FieldPermissions"
PERMISSION_OBJECTS = (PERMISSION_SET, ASSIGNMENT, FIELD_PERMISSIONS)


def _ref(name: str, target: str, relationship: str) -> FieldDef:
    return FieldDef(name, "reference", "", 18, required=True, nillable=False, updateable=False,
                    reference_to=[target], relationship_name=relationship)


def extend(objects: dict[str, list[FieldDef]]) -> None:
    objects[PERMISSION_SET] = _system_fields(owner=False) + [
        FieldDef("Name", "string", length=80, required=True, nillable=False, unique=True),
        FieldDef("Label", "string", length=80, required=True, nillable=False),
        FieldDef("Description", "string", length=255),
        FieldDef("IsOwnedByProfile", "boolean", createable=False, updateable=False,
                 nillable=False, defaulted=True),
    ]
    objects[ASSIGNMENT] = _system_fields(owner=False) + [
        _ref("AssigneeId", "User", "Assignee"),
        _ref("PermissionSetId", PERMISSION_SET, "PermissionSet"),
    ]
    objects[FIELD_PERMISSIONS] = _system_fields(owner=False) + [
        _ref("ParentId", PERMISSION_SET, "Parent"),
        FieldDef("SobjectType", "string", "SObject Type Name", 40, required=True,
                 nillable=False, updateable=False),
        FieldDef("Field", "string", "Field Name", 80, required=True, nillable=False,
                 updateable=False),
        FieldDef("PermissionsRead", "boolean", "Read Field", nillable=False, defaulted=True),
        FieldDef("PermissionsEdit", "boolean", "Edit Field", nillable=False, defaulted=True),
    ]


class FieldSecurity:
    """Which guarded fields the integration user may read or edit, from the records of the
    three objects; `OrgStore` asks it while serving the data API."""

    def __init__(self) -> None:
        self.guarded: set[tuple[str, str]] = set()  # (object, field) made by the Tooling API
        self.can_manage = True  # "Manage Profiles and Permission Sets"
        self._access: dict[tuple[str, str], str] | None = None

    def changed(self) -> None:
        self._access = None

    def access(self, org: Any, obj: str, name: str) -> str:
        """'edit', 'read' or 'none' for the integration user."""
        if (obj, name) not in self.guarded:
            return "edit"
        if self._access is None:
            self._access = self._compute(org)
        return self._access.get((obj, name.lower()), "none")

    def _compute(self, org: Any) -> dict[tuple[str, str], str]:
        live = org.live
        sets = {org.recs[ASSIGNMENT][i]["PermissionSetId"] for i in live[ASSIGNMENT]
                if org.recs[ASSIGNMENT][i]["AssigneeId"] == org.user_id}
        out: dict[tuple[str, str], str] = {}
        for i in live[FIELD_PERMISSIONS]:
            r = org.recs[FIELD_PERMISSIONS][i]
            if r["ParentId"] not in sets or not r.get("PermissionsRead"):
                continue
            obj, _, name = str(r["Field"]).partition(".")
            key = (obj, name.lower())
            out[key] = "edit" if r.get("PermissionsEdit") or out.get(key) == "edit" else "read"
        return out

    def check_write(self, org: Any, obj: str, data: dict, existing: dict | None) -> None:
        """Writes to the permission objects: the right to manage them, one record per pair."""
        if not self.can_manage:
            raise ApiError(400, "INSUFFICIENT_ACCESS_OR_READONLY",
                           "insufficient access rights on object id: you need the \"Manage "
                           "Profiles and Permission Sets\" permission", [])
        merged = {**(existing or {}), **data}
        if obj == FIELD_PERMISSIONS:
            field = str(merged.get("Field") or "")
            o, _, name = field.partition(".")
            if o != merged.get("SobjectType") or org.object_name(o) != o or not any(
                    f.name.lower() == name.lower() for f in org.fields.get(o, [])):
                raise ApiError(400, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                               f"Field Name: bad value for restricted picklist field: {field}",
                               ["Field"])
            pair = ("ParentId", "Field")
        elif obj == ASSIGNMENT:
            pair = ("AssigneeId", "PermissionSetId")
        else:
            return
        for i in org.live[obj]:  # values are canonical here (ids 18 characters)
            r = org.recs[obj][i]
            if i != merged.get("Id") and all(
                    str(r.get(k) or "").lower() == str(merged.get(k) or "").lower()
                    for k in pair):
                raise ApiError(400, "DUPLICATE_VALUE",
                               f"duplicate value found: {pair[1]} duplicates value on record "
                               f"with id: {i}", [])
