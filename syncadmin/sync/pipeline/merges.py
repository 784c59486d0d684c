"""Merges on either side (issue 15, point 3): a record merged away is never taken for a
deletion, and the other side's record of it is never deleted because of the merge.

Salesforce merges Leads, Contacts or Accounts into a master: the merged-away records are
deleted with MasterRecordId set (queryAll shows them). When such a row is read:

- the master is not linked: the merged-away record's link moves to the master (relinked);
- both are linked to HubSpot records: the two HubSpot records are merged too (HubSpot's merge
  API, the master's record as the primary), and the merged-away link is excluded as
  MERGED_SF; with only one HubSpot record between them, the master's link takes it.
In every case the row is no deletion: nothing is archived in HubSpot.

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

from connectors.errors import RemoteError
from syncadmin.sync.models import LinkStatus, RecordLink

MERGED_IDS = "hs_merged_object_ids"
MERGED = "merged_in_hubspot"  # excluded_reason
MERGED_SF = "merged_in_salesforce"  # excluded_reason
SF_MASTER = "MasterRecordId"
SF_MERGEABLE = ("Lead", "Contact", "Account")  # what Salesforce's merge() takes


def merged_away(row: dict[str, Any]) -> list[str]:
    """The ids merged into this HubSpot record (its own id never among them)."""
    value = str((row.get("properties") or {}).get(MERGED_IDS) or "")
    return [i for i in value.split(";") if i and i != row["id"]]


def is_merged(link: RecordLink | None) -> bool:
    return (link is not None and link.status == LinkStatus.EXCLUDED
            and link.excluded_reason in (MERGED, MERGED_SF))


def follow_sf_merges(account: Any, key: str, hs_type: str, rows: list[dict[str, Any]],
                     hs: Any) -> list[dict[str, Any]]:
    """Salesforce rows of one object read in this run, less the merged-away ones, whose links
    follow their master first (saved at once, before anything links these rows)."""
    master_of = {r["Id"]: r[SF_MASTER] for r in rows if r.get("IsDeleted") and r.get(SF_MASTER)}
    if not master_of:
        return rows
    links = RecordLink.objects.filter(account=account, object=key)
    by_sf = {str(link.sf_id): link
             for link in links.filter(sf_id__in=[*master_of, *master_of.values()])}
    for gone_id, master in master_of.items():
        gone = by_sf.get(gone_id)
        if gone is None:
            continue  # never synced: nothing of it in HubSpot
        keep = by_sf.get(master)
        if keep is None:
            gone.sf_id = master
            gone.save(update_fields=["sf_id", "updated_at"])
            by_sf[master] = gone
            continue
        if gone.hs_id and keep.hs_id and gone.hs_id != keep.hs_id:
            try:
                hs.merge(hs_type, keep.hs_id, gone.hs_id)
            except RemoteError as exc:
                if not exc.permanent:
                    raise  # the run fails before its watermark moves: read again next time
        elif gone.hs_id and not keep.hs_id:
            keep.hs_id = gone.hs_id
        gone.hs_id, gone.status, gone.excluded_reason = None, LinkStatus.EXCLUDED, MERGED_SF
        gone.save(update_fields=["hs_id", "status", "excluded_reason", "updated_at"])
        keep.save(update_fields=["hs_id", "updated_at"])
    return [r for r in rows if r["Id"] not in master_of]


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
