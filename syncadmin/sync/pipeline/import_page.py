"""One page of an import (FEATURES E4) through the engine's own stages, Salesforce → HubSpot.

An import reads Salesforce only: instead of reading all of HubSpot like an initial sync, it
looks up the HubSpot records a page could merge with — contacts by the page's emails,
companies by its names and domains — and hands both sides to the same link stage (the
contacts' `match_by_email`, the pipeline's `Linker` and `match_companies`), the same plan
and the same HubSpot writes, which are upserts keyed by email or `salesforce_id`: a page
done twice (its worker was killed before the cursor moved) duplicates nothing.

Nothing is written to Salesforce: the plan runs one way (to HubSpot) and the record link
holds both ids, so the object's sync keeps the pair linked afterwards. The page's lookups
(a contact's account, a deal's account, a custom object's lookups) become HubSpot
associations through the sync's association stage.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from connectors.errors import Kind, Outcome, RemoteError
from syncadmin.sync import objects, rules
from syncadmin.sync.contact_rules import SfToHsCreate
from syncadmin.sync.field_rules import TO_HUBSPOT
from syncadmin.sync.models import RecordLink
from syncadmin.sync.objects import HS_SF_ID, SF_EXT_ID, ObjectSpec
from syncadmin.sync.objects.companies import normalize_domain
from syncadmin.sync.pipeline import contacts as contact_stages
from syncadmin.sync.pipeline import properties
from syncadmin.sync.pipeline.associations import AssociationStage
from syncadmin.sync.pipeline.contacts.link import ContactLinker
from syncadmin.sync.pipeline.contacts.types import Pair as ContactPair
from syncadmin.sync.pipeline.contacts.write import ContactWriter
from syncadmin.sync.pipeline.link import Linker
from syncadmin.sync.pipeline.object_sync import ObjectPipeline
from syncadmin.sync.pipeline.types import ObjectResult, Policy

Progress = Callable[[int], None]  # records of the current page done so far
# An import reads live records only (query, not queryAll) and needs no change stamps.
UNREAD = {SF_EXT_ID, "IsDeleted", "SystemModstamp"}


class HubSpotOnlyContactWriter(ContactWriter):
    """The contacts' writer without its Salesforce half: an import never writes there
    (not even the HubSpot id stamp; the link carries it, and the ids cost no SF call)."""

    def write_salesforce(self, creates: list[tuple[ContactPair, str, dict[str, Any]]],
                         updates: list[tuple[ContactPair, dict[str, Any]]]) -> None:
        return None


class ContactImporter:
    """Salesforce contacts or leads → HubSpot contacts, matched by email (H2, D1)."""

    def __init__(self, account: Any, sf_object: str, sf: Any, hs: Any, result: ObjectResult,
                 progress: Progress) -> None:
        self.account, self.sf_object, self.hs = account, sf_object, hs
        sync = contact_stages.ContactSync(account, sf, hs,
                                          progress=lambda done, _total: progress(done))
        # One way, and creating: the admin asked for these records in HubSpot.
        sync.policy = dataclasses.replace(sync.policy, direction=TO_HUBSPOT,
                                          sf_to_hs_create=SfToHsCreate.CREATE_UPDATE.value)
        sync.result = result
        sync.writer = HubSpotOnlyContactWriter(sf, hs, sync.fields, result)
        self.sync = sync
        self.linker = ContactLinker(account, sf, hs, sync.fields, tick=sync.tick,
                                    seen_hs_ids=[])

    def set_up(self) -> None:
        self.hs.ensure_property("contacts", HS_SF_ID, "Salesforce Id", unique=True)
        properties.ensure_properties(self.account, "contacts", self.sf_object,
                                     self.sync.mappings, self.sync.sf, self.hs)

    def sf_fields(self) -> list[str]:
        # Not HubSpot_Id__c: the org has it only once a two-way sync made it, and the
        # links (by Salesforce id) and emails are what an import matches on.
        fields = {*self.sync.sf_fields(self.sf_object), *self.lookup_fields()} - UNREAD
        return sorted(fields)

    def lookup_fields(self) -> list[str]:
        spec = objects.get("contacts")
        return [a.sf_field for a in spec.associations
                if a.sf_field and self.sf_object == spec.sf_object]

    def apply(self, rows: list[dict[str, Any]]) -> None:
        self.sync.apply(self.pairs(rows))
        self.sync.result.associations += carry_lookups(
            self.account, self.hs, objects.get("contacts"), rows, self.sf_object)

    def pairs(self, rows: list[dict[str, Any]]) -> list[ContactPair]:
        """The page's records with their links (by Salesforce id), and the HubSpot contacts
        they may be, matched by email as the initial sync matches."""
        links = RecordLink.objects.filter(account=self.account, object="contacts")
        by_sf = {lk.sf_id: lk for lk in links.filter(sf_object=self.sf_object,
                                                      sf_id__in=[r["Id"] for r in rows])}
        pairs = [ContactPair(link=by_sf.get(row["Id"]), sf=row, sf_object=self.sf_object)
                 for row in rows]
        return self.linker.match_by_email(pairs + self.hubspot_matches(pairs, links), full=True)

    def hubspot_matches(self, pairs: list[ContactPair], links: Any) -> list[ContactPair]:
        """The HubSpot contacts with the emails of the page's unlinked records (one batch
        read per 100), as the link stage's HubSpot side. A contact already linked to
        another Salesforce record keeps it; the record with its email is then a second
        record with one email, which the plan excludes (D1)."""
        emails = {rules.normalize_email((p.sf or {}).get("Email"))
                  for p in pairs if p.link is None and not p.hs_id} - {""}
        if not emails:
            return []
        found = self.hs.get_many("contacts", sorted(emails), self.sync.fields.hs_properties(),
                                 id_property="email")
        taken = dict(links.filter(hs_id__in=[r["id"] for r in found], sf_id__isnull=False)
                     .values_list("hs_id", "sf_id"))
        mine = {p.sf["Id"] for p in pairs if p.sf}
        busy = {rules.normalize_email(r["properties"].get("email")) for r in found
                if r["id"] in taken and taken[r["id"]] not in mine}
        for p in pairs:
            if p.link is None and rules.normalize_email((p.sf or {}).get("Email")) in busy:
                p.duplicate = True
        return [ContactPair(hs=r["properties"], hs_id=r["id"]) for r in found
                if r["id"] not in taken]


class ObjectImporter:
    """Any other object (companies, deals, tickets, custom objects) through the generic
    pipeline, made one way; companies merge with HubSpot's by name or domain (H2)."""

    def __init__(self, base: ObjectPipeline, result: ObjectResult,
                 tick: Callable[[], None]) -> None:
        spec = dataclasses.replace(base.spec, one_way=True)
        policy = Policy(direction=TO_HUBSPOT, conflict_app="salesforce",
                        sf_deletion=base.policy.sf_deletion)
        self.pipe = ObjectPipeline(base.account, spec, policy, base.converter, base.sf,
                                   base.hs, tick=tick)
        self.pipe.result = result
        self.account, self.hs = base.account, base.hs

    def set_up(self) -> None:
        spec = self.pipe.spec
        if not objects.custom.is_custom(spec.key):  # its schema was made with the property
            self.hs.ensure_property(spec.hs_type, HS_SF_ID, "Salesforce Id", unique=True)
        properties.ensure_properties(self.account, spec.hs_type, spec.sf_object,
                                     self.pipe.converter.mappings, self.pipe.sf, self.hs)

    def sf_fields(self) -> list[str]:
        return [f for f in self.pipe.sf_fields() if f not in UNREAD]

    def apply(self, rows: list[dict[str, Any]]) -> None:
        linker = Linker(self.account, self.pipe.spec)
        linker.add_sf(rows)
        if self.pipe.spec.match == "name_or_domain":
            linker.add_hs(self.hubspot_matches(rows))
        self.pipe.apply(linker.result())
        spec = self.pipe.spec
        self.pipe.result.associations += carry_lookups(self.account, self.hs, spec, rows,
                                                       spec.sf_object)

    def hubspot_matches(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """HubSpot companies with the page's names or domains that no other record holds:
        unlinked, and not stamped with another Salesforce id."""
        props = self.pipe.hs_properties()
        names = {" ".join(str(r.get("Name") or "").split()) for r in rows} - {""}
        domains = {normalize_domain(r.get("Website")) for r in rows} - {""}
        found: dict[str, dict[str, Any]] = {}
        for prop, values in (("name", names), ("domain", domains)):
            if values:
                found.update((r["id"], r) for r in self.hs.search_by("companies", prop,
                                                                     values, props))
        linked = set(RecordLink.objects.filter(account=self.account, object="companies",
                                               hs_id__in=list(found))
                     .values_list("hs_id", flat=True))
        ids = {r["Id"] for r in rows}
        return [r for r in found.values() if r["id"] not in linked
                and (r.get("properties") or {}).get(HS_SF_ID) in (None, "", *ids)]


class NoSalesforceWrites:
    """Salesforce as the association stage sees it during an import: a write the stage
    would make (a HubSpot-side association still pending) is refused, and stays for the
    sync to carry; an import writes nothing to Salesforce."""

    def update_many(self, sobject: str, records: list[dict[str, Any]]) -> list[Outcome]:
        refused = RemoteError(Kind.GENERIC, "An import writes nothing to Salesforce.",
                              remote="salesforce")
        return [Outcome(ok=False, error=refused) for _ in records]


def carry_lookups(account: Any, hs: Any, owner: ObjectSpec, rows: list[dict[str, Any]],
                  sf_object: str) -> int:
    """The page's lookups (Contact.AccountId, Opportunity.AccountId, a custom object's
    lookups) as HubSpot associations, through the sync's own association stage: a target
    not imported yet waits as pending, and a later sync resolves it. Returns how many
    associations were written."""
    lookups = [a for a in owner.associations
               if a.sf_field and not a.multi and sf_object == owner.sf_object]
    if not lookups or not rows:
        return 0
    stage = AssociationStage(account, NoSalesforceWrites(), hs, lookups,
                             objects_of_run={owner.key: owner})
    for a in lookups:
        stage.lookup(a, rows, [])  # no HubSpot ids: only Salesforce's values are carried
        stage.flush()
    return sum(stage.counts.values())
