"""Merging records in the Salesforce emulator, as the SOAP API's merge() does
(https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_merge.htm):
up to three Leads, Contacts or Accounts into the master. The master keeps its values (merge()
takes the values that should supersede them as an update of the master), gains the blanks
the merged records fill, and becomes the parent of their related records; the merged records
are deleted with MasterRecordId set to the master, which queryAll shows.

simple-salesforce speaks REST only and REST has no merge, so it is a control endpoint
(POST /__sandbox/merge {"object", "master", "merged": [ids], "fields": {…}}) standing for a
user merging duplicates in Salesforce. Not emulated: merge()'s field-level choices beyond
`fields`, and its rules for converted leads and portal users.
"""

from __future__ import annotations

from typing import Any

from connectors.sandbox.sf_common import ApiError, norm_id

MERGEABLE = ("Lead", "Contact", "Account")
KEPT = {"Id", "IsDeleted", "CreatedDate", "CreatedById", "LastModifiedDate",
        "LastModifiedById", "SystemModstamp", "MasterRecordId", "OwnerId"}


def merge(org: Any, obj: str, master: str, merged: list[str],
          fields: dict[str, Any] | None = None) -> dict[str, Any]:
    """Merge `merged` into `master`; returns merge()'s MergeResult-like answer."""
    if obj not in MERGEABLE:
        raise ApiError(400, "INVALID_TYPE", f"merge is not supported for {obj}")
    keep = org.get_live(obj, master)
    gone = [org.get_live(obj, rid) for rid in merged]
    if not gone or len(gone) > 2:
        raise ApiError(400, "INVALID_OPERATION",
                       "A merge takes one or two records to merge into the master")
    if any(g["Id"] == keep["Id"] for g in gone):
        raise ApiError(400, "INVALID_ID_FIELD", "The master record cannot be merged into itself")
    values = dict(fields or {})
    for g in gone:
        for name, value in g.items():
            f = org.field(obj, name)
            if (f is not None and name not in KEPT and f.updateable and not f.unique
                    and not f.external_id and value not in (None, "")
                    and keep.get(name) in (None, "") and name not in values):
                values[name] = value
    stamp = org.now()
    reparented: list[str] = []
    for g in gone:
        reparented += _reparent(org, obj, g["Id"], keep["Id"], stamp)
        new = dict(g)
        new.update(IsDeleted=True, MasterRecordId=keep["Id"], SystemModstamp=stamp)
        org.deleted_log[obj].append((stamp, g["Id"]))
        org._replace(obj, g, new, deleted_log=True)
    org.raw_update(obj, keep["Id"], values, stamp)
    return {"id": keep["Id"], "mergedRecordIds": [g["Id"] for g in gone],
            "updatedRelatedIds": reparented, "success": True}


def _reparent(org: Any, obj: str, old: str, new: str, stamp: str) -> list[str]:
    """Every live record whose lookup points at `old` points at `new` (merge() re-parents
    related records)."""
    moved: list[str] = []
    for child, fdefs in org.fields.items():
        lookups = [f.name for f in fdefs if f.type == "reference" and obj in f.reference_to
                   and f.name != "MasterRecordId"]
        for name in lookups:
            for rid in list(org.live[child]):
                rec = org.recs[child][rid]
                if rec.get(name) == old:
                    org.raw_update(child, rid, {name: new}, stamp)
                    moved.append(rid)
    return moved


def merge_control(org: Any, body: dict[str, Any]) -> dict[str, Any]:
    return merge(org, str(body["object"]), norm_id(str(body["master"])),
                 [norm_id(str(i)) for i in body.get("merged") or []], body.get("fields"))
