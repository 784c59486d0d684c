"""Field access for the fields the integration creates (issue 15, point 1).

A custom field made through the Tooling API is visible to no one, the integration user
included, until field permissions grant it ("To grant a user access to a field, associate a
FieldPermissions record with a PermissionSet that's assigned to a user",
https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/
sforce_api_objects_fieldpermissions.htm). `grant_field_access` gives the connected user read
and edit on one field through a permission set of the integration's own, created and
assigned the first time: one query and one composite call then, one call per further field.

Without the right to manage permission sets ("Manage Profiles and Permission Sets") every
step is refused; that becomes a PERMISSIONS error saying how to fix it, shown as one card.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from connectors.errors import Kind, RemoteError

if TYPE_CHECKING:
    from connectors.salesforce import SalesforceAdapter

PERMISSION_SET_NAME = "SyncAdmin_Integration"
PERMISSION_SET_LABEL = "SyncAdmin integration"
ALREADY_THERE = "DUPLICATE_VALUE"  # the assignment or the field permission exists


def grant_field_access(sf: SalesforceAdapter, sobject: str, field: str) -> None:
    """Read and edit on `sobject.field` for the connected user (idempotent)."""
    try:
        ps = getattr(sf, "_permission_set_id", None)
        if ps is None:
            ps = _set_up(sf, sobject, field)
            sf._permission_set_id = ps  # type: ignore[attr-defined]
            return
        sf._restful("sobjects/FieldPermissions/", method="POST",
                    json=_field_permission(ps, sobject, field))
    except RemoteError as e:
        if e.code == ALREADY_THERE:
            return
        if e.kind in (Kind.INSUFFICIENT_ACCESS, Kind.FIELD_MISSING) or e.code.startswith(
                "INSUFFICIENT_ACCESS"):
            raise _permissions_error(sobject, field, e) from e
        raise


def _set_up(sf: SalesforceAdapter, sobject: str, field: str) -> str:
    """Find or create the permission set, assign it to the connected user and grant the
    field, in one composite call after the lookup."""
    soql = f"SELECT Id FROM PermissionSet WHERE Name = '{PERMISSION_SET_NAME}'"  # noqa: S608
    found = [r for page in sf.query(soql) for r in page]
    user = str(sf.userinfo().get("user_id") or "")
    v = f"/services/data/v{sf.config.api_version}/sobjects"
    subs = []
    if found:
        ps_ref = str(found[0]["Id"])
    else:
        subs.append({"method": "POST", "url": f"{v}/PermissionSet/", "referenceId": "ps",
                     "body": {"Name": PERMISSION_SET_NAME, "Label": PERMISSION_SET_LABEL,
                              "Description": "Read and edit on the fields the HubSpot sync "
                                             "created, for its integration user."}})
        ps_ref = "@{ps.id}"
    subs.append({"method": "POST", "url": f"{v}/PermissionSetAssignment/", "referenceId": "a",
                 "body": {"PermissionSetId": ps_ref, "AssigneeId": user}})
    subs.append({"method": "POST", "url": f"{v}/FieldPermissions/", "referenceId": "f",
                 "body": _field_permission(ps_ref, sobject, field)})
    res = sf._restful("composite", method="POST",
                      json={"allOrNone": False, "compositeRequest": subs})
    ps_id = ps_ref
    for sub in res["compositeResponse"]:
        _created(sub.get("body"), sub.get("httpStatusCode"))
        if sub["referenceId"] == "ps":
            ps_id = str(sub["body"]["id"])
    return ps_id


def _field_permission(ps: str, sobject: str, field: str) -> dict:
    return {"ParentId": ps, "SobjectType": sobject, "Field": f"{sobject}.{field}",
            "PermissionsRead": True, "PermissionsEdit": True}


def _created(body: object, status: object = 201) -> None:
    """A create's answer: fine, or already there; anything else is raised classified."""
    if isinstance(status, int) and status < 300:
        return
    from connectors.salesforce import classify

    first = body[0] if isinstance(body, list) and body and isinstance(body[0], dict) else {}
    code = str(first.get("errorCode") or "")
    if code == ALREADY_THERE:
        return
    raise classify(code, str(first.get("message") or body),
                   status=status if isinstance(status, int) else None)


def _permissions_error(sobject: str, field: str, cause: RemoteError) -> RemoteError:
    return RemoteError(
        Kind.PERMISSIONS,
        f"The integration user may not grant itself access to {sobject}.{field}, the field "
        f"the sync created to keep HubSpot ids ({cause.code}: {cause.message}). Give it the "
        f"\"Manage Profiles and Permission Sets\" permission, or grant Read and Edit on "
        f"{sobject}.{field} to it in a permission set, then run the sync again.",
        code=cause.code, remote="salesforce", fields=(f"{sobject}.{field}",),
        status=cause.status)
