"""HubSpot merges (issue 15, point 3): a record merged away in HubSpot is never taken for a
deletion, and its Salesforce record is never deleted because of it.

HubSpot merges two contacts or companies into the primary: the merged id then resolves to the
survivor, which lists every id merged into it in `hs_merged_object_ids` and is modified by the
merge, so the next change read brings it. Its link is then followed to the survivor:

- the survivor is not linked yet: the merged record's link moves to it (relinked), and the
  Salesforce record of the merged-away one syncs with the survivor from now on;
- the survivor is linked to a Salesforce record of its own: Salesforce's REST API cannot merge
  records (only the SOAP API can), so the merged-away one's Salesforce record stays as it is,
  no longer synced: its link is excluded as MERGED (Sync Health shows why), and changes to it
  create nothing in HubSpot, as HubSpot's own Salesforce integration does.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from syncadmin.sync.models import LinkStatus, RecordLink

MERGED_IDS = "hs_merged_object_ids"
MERGED = "merged_in_hubspot"  # excluded_reason


def merged_away(row: dict[str, Any]) -> list[str]:
    """The ids merged into this HubSpot record (its own id never among them)."""
    value = str((row.get("properties") or {}).get(MERGED_IDS) or "")
    return [i for i in value.split(";") if i and i != row["id"]]


def is_merged(link: RecordLink | None) -> bool:
    return (link is not None and link.status == LinkStatus.EXCLUDED
            and link.excluded_reason == MERGED)


def follow_hs_merges(links: QuerySet[RecordLink], page: list[dict[str, Any]],
                     known: dict[str, RecordLink]) -> None:
    """Links of records merged away into the records of `page` (changed HubSpot rows) follow
    their survivor, saved at once. `known` (hs id -> link) is the caller's in-memory view:
    its links are changed in place so that pairs already holding them see the change."""
    survivor_of = {loser: row["id"] for row in page for loser in merged_away(row)}
    if not survivor_of:
        return
    unknown = [i for i in survivor_of if i not in known]
    losers = {i: known[i] for i in survivor_of if i in known}
    losers.update({str(link.hs_id): link for link in links.filter(hs_id__in=unknown)})
    if not losers:
        return
    survivors = set(survivor_of.values())
    linked = {i for i in survivors if i in known} | set(
        links.filter(hs_id__in=survivors).values_list("hs_id", flat=True))
    for loser, link in losers.items():
        survivor = survivor_of[loser]
        known.pop(loser, None)
        if survivor in linked:
            link.hs_id, link.status, link.excluded_reason = None, LinkStatus.EXCLUDED, MERGED
        else:
            link.hs_id = survivor
            known[survivor] = link
            linked.add(survivor)
        link.save(update_fields=["hs_id", "status", "excluded_reason", "updated_at"])
