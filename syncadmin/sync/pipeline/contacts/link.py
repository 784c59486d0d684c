"""The contacts' read and link stages: HubSpot's changed contacts, and every row of both
sides paired with its record link. Converted leads follow their contact; unlinked records
with the same email are one person (H2); new HubSpot contacts are looked up in Salesforce
by email before anything is created there (D3)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable
from typing import Any

from connectors.salesforce import in_chunks, select_in_soql
from syncadmin.sync import rules
from syncadmin.sync.models import LinkStatus, RecordLink
from syncadmin.sync.pipeline import merges
from syncadmin.sync.pipeline.contacts.fields import (
    EPOCH,
    FAR_FUTURE,
    HS_SF_ID,
    SF_EXT_ID,
    SF_OBJECTS,
    ContactFields,
)
from syncadmin.sync.pipeline.contacts.types import Pair


class ContactLinker:
    def __init__(self, account: Any, sf: Any, hs: Any, fields: ContactFields, *,
                 tick: Callable[[], None], seen_hs_ids: list[str]) -> None:
        self.account, self.sf, self.hs, self.fields = account, sf, hs, fields
        self.tick = tick
        self.seen_hs_ids = seen_hs_ids  # this run's changed HubSpot contacts (associations)

    # ---- read (HubSpot; Salesforce is read by run.py for every object at once) -----------

    def read_hubspot(self, since: dt.datetime, *, full: bool) -> Iterable[list[dict[str, Any]]]:
        # Search pages hold 200 records against 100 for a list page: half the calls, also
        # for a full read (the adapter restarts the search past HubSpot's 10,000 cap).
        return self.hs.changed("contacts", self.fields.hs_properties(),
                               EPOCH if full else since, FAR_FUTURE)

    def newly_archived(self) -> list[dict[str, Any]]:
        """Synced HubSpot contacts archived since they were last seen (search skips them)."""
        out: list[dict[str, Any]] = []
        for page in self.hs.list_all("contacts", ["email"], archived=True):
            by_id = {r["id"]: r for r in page}
            # Archived because deleted in Salesforce: the deletion keeps the side it started
            # on, so Restore offers the right destination.
            fresh = RecordLink.objects.filter(
                account=self.account, object="contacts", hs_id__in=list(by_id)
            ).exclude(status__in=(LinkStatus.DELETED_HS, LinkStatus.DELETED_SF)
                      ).values_list("hs_id", flat=True)
            out.extend(by_id[hs_id] for hs_id in fresh if hs_id)
            self.tick()
        return out

    # ---- link ----------------------------------------------------------------------------

    def collect(self, sf_rows: dict[str, list[dict[str, Any]]], hs_since: dt.datetime, *,
                full: bool) -> list[Pair]:
        pairs: dict[tuple[str, str], Pair] = {}
        links_by_sf: dict[tuple[str, str], RecordLink] = {}
        links_by_hs: dict[str, RecordLink] = {}

        links = RecordLink.objects.filter(account=self.account, object="contacts")

        def remember(found: Iterable[RecordLink]) -> None:
            for known in found:
                if known.sf_id:
                    links_by_sf[(known.sf_object, known.sf_id)] = known
                if known.hs_id:
                    links_by_hs[known.hs_id] = known

        sf_ids = [r["Id"] for rows in sf_rows.values() for r in rows]
        ext_ids = [r[SF_EXT_ID] for rows in sf_rows.values() for r in rows if r.get(SF_EXT_ID)]
        remember(links.filter(sf_id__in=sf_ids))
        remember(links.filter(hs_id__in=ext_ids))

        def pair_for(link: RecordLink | None, key: tuple[str, str]) -> Pair:
            if link is not None:
                key = ("link", str(link.pk))
            pair = pairs.get(key)
            if pair is None:
                pair = pairs[key] = Pair(link=link)
            return pair

        converted = follow_converted_leads(sf_rows, links_by_sf)
        for obj in SF_OBJECTS:
            for row in sf_rows.get(obj, []):
                if obj == "Lead" and row["Id"] in converted:
                    continue
                link: RecordLink | None = links_by_sf.get((obj, row["Id"]))
                if link is None and row.get(SF_EXT_ID):
                    link = links_by_hs.get(row[SF_EXT_ID])
                pair = pair_for(link, ("sf", row["Id"]))
                pair.sf, pair.sf_object = row, obj
                pair.sf_deleted = bool(row.get("IsDeleted"))
                if link is None and row.get(SF_EXT_ID):
                    pair.hs_id = row[SF_EXT_ID]

        # HubSpot is read page by page and only each record's properties are kept: a large
        # initial sync never holds the raw pages of both sides at once.
        pages = self.read_hubspot(hs_since, full=full)
        if not full:
            pages = itertools.chain(pages, [self.newly_archived()])
        for page in pages:
            self.tick()
            merges.follow_hs_merges(links, page, links_by_hs)
            remember(links.filter(hs_id__in=[r["id"] for r in page
                                             if r["id"] not in links_by_hs]))
            self.seen_hs_ids.extend(r["id"] for r in page)
            for row in page:
                link = links_by_hs.get(row["id"])
                props = row.get("properties", {})
                if link is None and props.get(HS_SF_ID):
                    for obj in SF_OBJECTS:
                        link = links_by_sf.get((obj, props[HS_SF_ID])) or link
                pair = pair_for(link, ("hs", row["id"]))
                if pair.link is None and pair.hs is not None:
                    continue
                pair.hs, pair.hs_id = props, row["id"]
                pair.hs_deleted = bool(row.get("archived"))

        # A contact merged away in HubSpot whose survivor has a Salesforce record of its own:
        # its Salesforce record is left alone (merges.py).
        return self.match_by_email([p for p in pairs.values() if not merges.is_merged(p.link)],
                                   full=full)

    def match_by_email(self, pairs: list[Pair], *, full: bool) -> list[Pair]:
        """Initial-sync matching (H2): unlinked records with the same email are one person."""
        sf_only = {}
        hs_only = {}
        out: list[Pair] = []
        for pair in pairs:
            if pair.link is not None or (pair.sf and pair.hs):
                out.append(pair)
                continue
            if pair.sf is not None and not pair.sf_deleted:
                email = rules.normalize_email(pair.sf.get("Email"))
                if email and email in sf_only:
                    # Two Salesforce records, one email: only the first creates (D1).
                    pair.duplicate = True
                elif email:
                    sf_only[email] = pair
                    continue
            elif pair.hs is not None and not pair.hs_deleted:
                email = rules.normalize_email(pair.hs.get("email"))
                if email and email not in hs_only:
                    hs_only[email] = pair
                    continue
            out.append(pair)
        # Earlier links, made by previous runs, also match by email.
        emails = set(sf_only) | set(hs_only)
        known = {
            link.email: link
            for link in RecordLink.objects.filter(
                account=self.account, object="contacts", email__in=emails
            )
        } if emails else {}
        for email, pair in sf_only.items():
            other = hs_only.pop(email, None)
            if other is not None:
                pair.hs, pair.hs_id = other.hs, other.hs_id
            elif email in known and known[email].sf_id is None:
                pair.link = known[email]
                pair.hs_id = pair.link.hs_id
            out.append(pair)
        if hs_only and not full:
            self.find_in_salesforce(hs_only, known)
        out.extend(hs_only.values())
        return out

    def find_in_salesforce(self, hs_only: dict[str, Pair], known: dict[str, RecordLink]) -> None:
        """New HubSpot contacts may already exist in Salesforce: update, never duplicate (D3)."""
        for email, pair in list(hs_only.items()):
            link = known.get(email)
            if link is not None and link.sf_id and link.hs_id is None:
                pair.link = link
        emails = [e for e, p in hs_only.items() if p.link is None]
        if not emails:
            return
        found: dict[str, tuple[str, dict[str, Any]]] = {}

        def by_email(obj: str, chunk: list[str]) -> str:
            return select_in_soql(obj, self.fields.sf_fields(obj), "Email", chunk,
                                  equals={"IsConverted": False} if obj == "Lead" else None)

        # Emails are long: the lists are cut by length too (a composite subrequest's URL
        # carries the query like a GET's).
        for chunk in in_chunks(emails, *(by_email(o, []) for o in SF_OBJECTS), per_chunk=100):
            queries = {obj: by_email(obj, chunk) for obj in SF_OBJECTS}
            rows = self.sf.poll(queries)
            for obj in ("Lead", "Contact"):  # a contact wins over a lead with the same email
                for row in rows.get(obj, []):
                    found[rules.normalize_email(row.get("Email"))] = (obj, row)
        for email, (obj, row) in found.items():
            hs_pair = hs_only.get(email)
            if hs_pair is not None and hs_pair.link is None:
                hs_pair.sf, hs_pair.sf_object = row, obj


def follow_converted_leads(sf_rows: dict[str, list[dict[str, Any]]],
                           links_by_sf: dict[tuple[str, str], RecordLink]) -> dict[str, str]:
    """Converted leads follow their contact: the contact row carries the person on. A lead's
    link moves to its contact unless the contact has a link of its own. Returns lead → contact
    ids of the converted leads read in this run."""
    converted: dict[str, str] = {}
    for row in sf_rows.get("Lead", []):
        target = rules.follow_conversion("Lead", row)
        if target:
            converted[row["Id"]] = target[1]
    for lead_id, contact_id in converted.items():
        lead_link = links_by_sf.get(("Lead", lead_id))
        if lead_link is not None and ("Contact", contact_id) not in links_by_sf:
            lead_link.sf_object, lead_link.sf_id = "Contact", contact_id
            lead_link.save(update_fields=["sf_object", "sf_id", "updated_at"])
            links_by_sf[("Contact", contact_id)] = lead_link
    return converted
