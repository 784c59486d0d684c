"""The link stage: rows of both sides → pairs, each with its RecordLink when one exists.

Initial-sync matching (H2) joins records that were never linked: contacts by email (in
contacts/link.py), companies by name or by domain. Deals and tickets match nothing: every
unlinked record is created on the other side, keyed by the other side's id so a redone run
duplicates nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from syncadmin.sync.models import RecordLink
from syncadmin.sync.objects import HS_SF_ID, SF_EXT_ID, ObjectSpec
from syncadmin.sync.objects.companies import match_keys
from syncadmin.sync.pipeline import merges
from syncadmin.sync.pipeline.types import Pair


class Linker:
    def __init__(self, account: Any, spec: ObjectSpec) -> None:
        self.spec = spec
        self.links = RecordLink.objects.filter(account=account, object=spec.key)
        self.by_sf: dict[str, RecordLink] = {}
        self.by_hs: dict[str, RecordLink] = {}
        self.pairs: dict[tuple[str, str], Pair] = {}

    def remember(self, found: Iterable[RecordLink]) -> None:
        for link in found:
            if link.sf_id:
                self.by_sf[link.sf_id] = link
            if link.hs_id:
                self.by_hs[link.hs_id] = link

    def pair_for(self, link: RecordLink | None, key: tuple[str, str]) -> Pair:
        if link is not None:
            key = ("link", str(link.pk))
        pair = self.pairs.get(key)
        if pair is None:
            pair = self.pairs[key] = Pair(link=link)
        return pair

    def add_sf(self, rows: list[dict[str, Any]]) -> None:
        ids = [r["Id"] for r in rows]
        ext = [r[SF_EXT_ID] for r in rows if r.get(SF_EXT_ID)]
        self.remember(self.links.filter(sf_id__in=ids))
        self.remember(self.links.filter(hs_id__in=ext))
        for row in rows:
            link = self.by_sf.get(row["Id"])
            if link is None and row.get(SF_EXT_ID):
                link = self.by_hs.get(row[SF_EXT_ID])
            pair = self.pair_for(link, ("sf", row["Id"]))
            pair.sf, pair.sf_deleted = row, bool(row.get("IsDeleted"))
            if link is None and row.get(SF_EXT_ID) and not pair.hs_id:
                pair.hs_id = row[SF_EXT_ID]

    def add_hs(self, page: list[dict[str, Any]]) -> None:
        merges.follow_hs_merges(self.links, page, self.by_hs)
        fresh = [r["id"] for r in page if r["id"] not in self.by_hs]
        sf_ids = [(r.get("properties") or {}).get(HS_SF_ID) for r in page]
        self.remember(self.links.filter(hs_id__in=fresh))
        self.remember(self.links.filter(sf_id__in=[s for s in sf_ids if s]))
        for row in page:
            props = row.get("properties") or {}
            archived = bool(row.get("archived"))
            link = self.by_hs.get(row["id"])
            if link is None and props.get(HS_SF_ID):
                link = self.by_sf.get(props[HS_SF_ID])
                other = self.pairs.get(("sf", props[HS_SF_ID]))
                if link is None and other is not None and other.hs is None:
                    other.hs, other.hs_id, other.hs_deleted = props, row["id"], archived
                    continue
            pair = self.pair_for(link, ("hs", row["id"]))
            if pair.link is None and pair.hs is not None:
                continue
            pair.hs, pair.hs_id, pair.hs_deleted = props, row["id"], archived
            if link is None and props.get(HS_SF_ID) and pair.sf is None:
                # Stamped by an earlier run that died before linking: the record exists.
                pair.sf_ref = props[HS_SF_ID]

    def result(self) -> list[Pair]:
        # A record merged away in HubSpot whose survivor has a Salesforce record of its own:
        # its Salesforce record is left alone (merges.py).
        pairs = [p for p in self.pairs.values() if not merges.is_merged(p.link)]
        if self.spec.match == "name_or_domain":
            pairs = match_companies(pairs)
        return pairs


def match_companies(pairs: list[Pair]) -> list[Pair]:
    """H2: an unlinked Salesforce account and an unlinked HubSpot company with the same name
    or the same domain are one company (same name with another domain matches, and the other
    way round). Each HubSpot company merges with at most one account."""
    out: list[Pair] = []
    hs_index: dict[tuple[str, str], Pair] = {}
    lonely_sf: list[Pair] = []
    for pair in pairs:
        unlinked = pair.link is None and pair.sf is None and not pair.sf_ref
        if unlinked and pair.hs is not None and not pair.hs_deleted:
            for key in match_keys(pair.hs.get("name"), pair.hs.get("domain")):
                hs_index.setdefault(key, pair)
        elif (pair.link is None and pair.sf is not None and pair.hs is None
              and not pair.hs_id and not pair.sf_deleted):
            lonely_sf.append(pair)
            continue
        out.append(pair)
    taken: set[int] = set()
    for pair in lonely_sf:
        sf = pair.sf or {}
        for key in match_keys(sf.get("Name"), sf.get("Website")):
            other = hs_index.get(key)
            if other is not None and id(other) not in taken:
                taken.add(id(other))
                other.sf, other.sf_deleted = pair.sf, False
                break
        else:
            out.append(pair)
    return out
