"""Merging two records in the HubSpot emulator: POST /crm/v3/objects/{type}/merge with
{"primaryObjectId", "objectIdToMerge"} (contacts, companies, deals, tickets and custom objects;
https://developers.hubspot.com/docs/api-reference/crm-contacts-v3/basic/post-crm-v3-objects-contacts-merge).
Answers the surviving record (SimplePublicObject).

What a merge does here, as HubSpot describes it
(https://knowledge.hubspot.com/records/merge-records): the primary record survives with its id;
its values stay, and the ones it lacks are taken from the merged record; a contact's merged
email becomes one of its additional emails (hs_additional_emails); hs_merged_object_ids lists
every id merged into it. The merged record leaves search, lists and the unique indexes, and its
id resolves to the survivor from then on (GET, PATCH, batch read: the survivor answers); its
associations move to the survivor. Not emulated: HubSpot's "most recent value wins" for some
properties, the merge of the two records' activity timelines, and newer portals giving the
merged record a new id (the survivor keeps the primary's here).
"""

from __future__ import annotations

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from connectors.sandbox.hs_assoc import ASSOC_TYPES
from connectors.sandbox.hs_base import HubSpotBase, err
from connectors.sandbox.hs_store import ObjectStore, Rec

ENGAGEMENTS = {"calls", "emails", "meetings", "notes", "tasks"}
# Kept from the primary whatever the merged record holds: identity and bookkeeping.
KEPT = {"hs_object_id", "createdate", "hs_createdate", "hs_lastmodifieddate",
        "lastmodifieddate", "hs_merged_object_ids", "hs_additional_emails", "email"}


class MergeMixin(HubSpotBase):
    def merge_objects(self, req: Request, otype: str) -> Response:
        st = self._store(otype)
        if st.plural in ENGAGEMENTS:
            raise err(400, "VALIDATION_ERROR", f"{st.label} cannot be merged")
        body = self._body(req)
        primary, other = body.get("primaryObjectId"), body.get("objectIdToMerge")
        if not primary or not other:
            raise err(400, "VALIDATION_ERROR",
                      "primaryObjectId and objectIdToMerge are both required")
        with self.lock:
            keep = st.find_by("hs_object_id", str(primary))
            gone = st.find_by("hs_object_id", str(other))
            if keep is None or gone is None:
                raise err(404, "OBJECT_NOT_FOUND", "resource not found")
            if keep.id == gone.id:
                raise err(400, "VALIDATION_ERROR", "A record cannot be merged with itself")
            self.merge_records(st, keep, gone)
            return self.json(st.to_api(keep, None))

    def merge_records(self, st: ObjectStore, keep: Rec, gone: Rec) -> None:
        values = {k: v for k, v in gone.props.items()
                  if v and not keep.props.get(k) and k not in KEPT and k not in st.unique}
        merged = [x for x in keep.props.get("hs_merged_object_ids", "").split(";") if x]
        merged += [str(gone.id)] + [x for x in gone.props.get("hs_merged_object_ids", "")
                                    .split(";") if x]
        values["hs_merged_object_ids"] = ";".join(dict.fromkeys(merged))
        if st.plural == "contacts" and gone.props.get("email"):
            extra = [x for x in keep.props.get("hs_additional_emails", "").split(";") if x]
            values["hs_additional_emails"] = ";".join(dict.fromkeys(
                [*extra, gone.props["email"]]))
        self._move_associations(st.plural, gone.id, keep.id)
        st.merge_away(gone, keep.id)
        st.update(keep, values)

    def _move_associations(self, plural: str, gone: int, keep: int) -> None:
        for (a, b), by_id in list(self.assoc.links.items()):
            if a != plural:
                continue
            for to_id, type_ids in list(by_id.get(gone, {}).items()):
                for tid in type_ids:
                    t = ASSOC_TYPES.get((a, b), {}).get(tid)
                    if t is not None and not (a == b and to_id == keep):
                        self.assoc.add(a, keep, b, to_id, t)
        self.assoc.drop_record(plural, gone)


RULES = [
    Rule("/crm/v3/objects/<otype>/merge", methods=["POST"], endpoint="merge_objects"),
]
