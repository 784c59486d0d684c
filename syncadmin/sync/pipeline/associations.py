"""The association stage (FEATURES E2): after every object of the run is linked, carry the
associations that changed on one side to the other.

Single-valued associations are a lookup on the owner's Salesforce record (Contact.AccountId,
Opportunity.AccountId, Case.ContactId/AccountId) and a HubSpot v4 association (only the
primary company syncs). Multi-valued ones go through a junction object
(OpportunityContactRole) whose rows are read as their own stream, deletions included.
What was last synced is an AssociationLink row: the side whose value differs from it changed;
when both changed, Salesforce wins. A target that is not synced yet is kept as pending and
resolved by a later run, not reported as an error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from syncadmin.sync import objects
from syncadmin.sync.models import AssociationLink, LinkStatus, RecordLink, Watermark
from syncadmin.sync.objects import AssociationSpec, ObjectSpec

# HubSpot-defined association type ids (the "Primary" label where the target is a company).
# https://developers.hubspot.com/docs/api/crm/associations/v4 ("Association type id values")
HS_TYPE_ID = {"contact_company": 1, "deal_company": 5, "ticket_company": 26,
              "deal_contact": 3, "ticket_contact": 16}
UNKNOWN = object()
# An association added or removed in HubSpot alone changes neither record's modified date
# (a contact's company does: associatedcompanyid), so deals' and tickets' associations are
# also re-read for a rolling slice of synced records, at most every SWEEP_EVERY.
SWEEP_SIZE = 1000  # one HubSpot batch read per association kind
SWEEP_EVERY = dt.timedelta(seconds=30)


def active(enabled: Iterable[str]) -> list[AssociationSpec]:
    return objects.associations(enabled)


class AssociationStage:
    def __init__(self, account: Any, sf: Any, hs: Any, specs: list[AssociationSpec], *,
                 objects_of_run: dict[str, ObjectSpec] | None = None) -> None:
        self.account, self.sf, self.hs, self.specs = account, sf, hs, specs
        # This run's object specs: a custom object's HubSpot type is the account's own.
        self.objects_of_run = objects_of_run or {}
        self.counts: dict[str, int] = {}
        self.primary: dict[str, str | None] = {}  # owner HubSpot id → its Primary company
        self._new: list[AssociationLink] = []
        self._changed: list[AssociationLink] = []
        self._gone: list[int] = []

    def run(self, pipelines: dict[str, Any], contacts: Any,
            by_key: dict[str, list[dict[str, Any]]]) -> dict[str, int]:
        # One-way owners (custom objects) never carry HubSpot's associations back.
        swept = {owner: [] if self.spec(owner).one_way else self.sweep(owner)
                 for owner in {a.owner for a in self.specs}}
        for a in self.specs:
            if a.owner == "contacts":
                sf_rows, hs_ids = contacts.seen_contacts, list(contacts.seen_hs_ids)
                hs_ids += list(set(swept[a.owner]) - set(hs_ids))
            else:
                sf_rows = pipelines[a.owner].seen_sf
                hs_ids = list(pipelines[a.owner].seen_hs)
                hs_ids += list(set(swept[a.owner]) - set(hs_ids))
            if a.multi:
                self.junction(a, by_key.get(f"{a.owner}:{a.junction}", []), hs_ids)
            else:
                self.lookup(a, sf_rows, hs_ids)
            self.flush()
        return self.counts

    def sweep(self, owner: str) -> list[str]:
        """The next slice of synced `owner` records whose HubSpot associations are re-read."""
        key = f"{owner}:association-sweep"
        mark = Watermark.objects.filter(account=self.account, side="hubspot",
                                        stream=key).first()
        now = timezone.now()
        if mark is not None and now - mark.value < SWEEP_EVERY:
            return []
        start = mark.position if mark else 0
        rows = list(RecordLink.objects.filter(
            account=self.account, object=owner, pk__gt=start, status=LinkStatus.IN_SYNC,
            hs_id__isnull=False, sf_id__isnull=False).order_by("pk")
            .values_list("pk", "hs_id")[:SWEEP_SIZE])
        Watermark.objects.update_or_create(
            account=self.account, side="hubspot", stream=key,
            defaults={"value": now, "position": rows[-1][0] if len(rows) == SWEEP_SIZE else 0})
        return [hs_id for _, hs_id in rows if hs_id]

    def spec(self, key: str) -> ObjectSpec:
        return self.objects_of_run.get(key) or objects.get(key)

    def count(self, a: AssociationSpec, n: int = 1) -> None:
        self.counts[a.owner] = self.counts.get(a.owner, 0) + n

    def links(self, key: str, *, sf_ids: Iterable[str] = (), hs_ids: Iterable[str] = ()
              ) -> tuple[dict[str, RecordLink], dict[str, RecordLink]]:
        base = RecordLink.objects.filter(account=self.account, object=key)
        by_sf = {lk.sf_id: lk for lk in base.filter(sf_id__in=set(sf_ids)) if lk.sf_id}
        by_hs = {lk.hs_id: lk for lk in base.filter(hs_id__in=set(hs_ids)) if lk.hs_id}
        return by_sf, by_hs

    def hs_targets(self, a: AssociationSpec, hs_ids: list[str]) -> dict[str, list[str]]:
        """HubSpot associations of these records, the Primary one first where the kind has
        one: only the primary company of a record syncs (E2)."""
        if not hs_ids:
            return {}
        owner, target = self.spec(a.owner), self.spec(a.target)
        typed = self.hs.associations_typed(owner.hs_type, hs_ids, target.hs_type)
        primary = HS_TYPE_ID.get(a.key) if a.target == "companies" else None
        self.primary = {k: next((t for t, types in v if primary in types), None)
                        for k, v in typed.items()}
        return {k: [t for t, _ in v] for k, v in typed.items()}

    # ---- single-valued: a lookup field ---------------------------------------------------

    def lookup(self, a: AssociationSpec, sf_rows: list[dict[str, Any]], hs_ids: list[str]
               ) -> None:
        owner_sf, owner_hs = self.links(a.owner, sf_ids=[r["Id"] for r in sf_rows],
                                        hs_ids=hs_ids)
        pending = list(AssociationLink.objects.filter(account=self.account, kind=a.key,
                                                      to_link__isnull=True)
                       .select_related("from_link"))
        owner_spec = self.spec(a.owner)
        # Only records of the object carrying the lookup: a lead has no account (D3).
        owners = {lk.pk: lk for lk in [*owner_sf.values(), *owner_hs.values(),
                                       *(p.from_link for p in pending)]
                  if lk.sf_id and lk.hs_id and lk.sf_object in ("", owner_spec.sf_objects[0])}
        if not owners:
            return
        read_now = set(hs_ids)
        hs_assoc = self.hs_targets(a, [lk.hs_id for lk in owners.values()
                                       if lk.hs_id in read_now])  # type: ignore[misc]
        sf_value = {r["Id"]: r.get(a.sf_field) or None for r in sf_rows}
        t_sf, t_hs = self.links(a.target, sf_ids=[v for v in sf_value.values() if v],
                                hs_ids=[t for ts in hs_assoc.values() for t in ts])
        stored = {s.from_link_id: s for s in AssociationLink.objects.filter(
            account=self.account, kind=a.key, from_link__in=list(owners))}
        to_hs_add: list[tuple[RecordLink, RecordLink]] = []
        to_hs_remove: list[tuple[RecordLink, str]] = []
        to_sf: list[tuple[RecordLink, AssociationLink | None, RecordLink | None]] = []
        for pk, lk in owners.items():
            row = stored.get(pk)
            old_sf = (row.to_link.sf_id if row and row.to_link else
                      (row.pending_sf_id or None) if row else None)
            old_hs = (row.to_link.hs_id if row and row.to_link else
                      (row.pending_hs_id or None) if row else None)
            new_sf: Any = sf_value.get(lk.sf_id or "", UNKNOWN)
            listed = hs_assoc.get(lk.hs_id or "")
            new_hs: Any = UNKNOWN
            if listed is not None:  # the primary; else the synced one while it stays
                new_hs = self.primary.get(lk.hs_id or "") or (
                    old_hs if old_hs in listed else (listed[0] if listed else None))
            sf_changed = new_sf is not UNKNOWN and new_sf != old_sf
            hs_changed = new_hs is not UNKNOWN and new_hs != old_hs
            if row is not None and row.to_link is None and not sf_changed and not hs_changed:
                # Pending: retry from the side that had the value.
                sf_changed, new_sf = bool(row.pending_sf_id), row.pending_sf_id or None
                hs_changed = not sf_changed and bool(row.pending_hs_id)
                new_hs = row.pending_hs_id or None
            if sf_changed:
                target = t_sf.get(new_sf) if new_sf else None
                if new_sf and target is None:
                    target = self.target_by_sf(a, new_sf)
                if new_sf and (target is None or not target.hs_id):
                    self.store(a, lk, row, None, pending_sf=new_sf)
                    continue
                if old_hs and (target is None or target.hs_id != old_hs):
                    to_hs_remove.append((lk, old_hs))
                if target is not None and target.hs_id != (new_hs if new_hs is not UNKNOWN
                                                            else None):
                    to_hs_add.append((lk, target))
                self.store(a, lk, row, target)
            elif hs_changed:
                target = t_hs.get(new_hs) if new_hs else None
                if new_hs and target is None:
                    target = self.target_by_hs(a, new_hs)
                if new_hs and (target is None or not target.sf_id):
                    self.store(a, lk, row, None, pending_hs=new_hs)
                    continue
                to_sf.append((lk, row, target))
        self.push_hs(a, to_hs_add, to_hs_remove)
        if to_sf:
            records = [{"Id": lk.sf_id, a.sf_field: t.sf_id if t else None}
                       for lk, _, t in to_sf]
            outcomes = self.sf.update_many(owner_spec.sf_objects[0], records)
            for (lk, row, target), outcome in zip(to_sf, outcomes, strict=True):
                if outcome.ok:  # a refused update stays unsynced and is tried again
                    self.store(a, lk, row, target)
                    self.count(a)

    def target_by_sf(self, a: AssociationSpec, sf_id: str) -> RecordLink | None:
        return RecordLink.objects.filter(account=self.account, object=a.target,
                                         sf_id=sf_id).first()

    def target_by_hs(self, a: AssociationSpec, hs_id: str) -> RecordLink | None:
        return RecordLink.objects.filter(account=self.account, object=a.target,
                                         hs_id=hs_id).first()

    def store(self, a: AssociationSpec, owner: RecordLink, row: AssociationLink | None,
              target: RecordLink | None, *, pending_sf: str = "", pending_hs: str = "",
              sf_id: str = "") -> None:
        """Remembers what is now synced; saved in bulk by `flush` (thousands per run)."""
        if target is None and not pending_sf and not pending_hs:
            if row is not None and row.pk:
                self._gone.append(row.pk)
            return
        if row is None:
            row = AssociationLink(account=self.account, kind=a.key, from_link=owner)
        row.to_link, row.pending_sf_id, row.pending_hs_id = target, pending_sf, pending_hs
        row.sf_id = sf_id or row.sf_id
        (self._changed if row.pk else self._new).append(row)

    def flush(self) -> None:
        now = timezone.now()
        for row in (*self._new, *self._changed):
            row.synced_at = now
        with transaction.atomic():
            if self._gone:
                AssociationLink.objects.filter(pk__in=self._gone).delete()
            # One association per pair: a second contact role for the same pair is one.
            AssociationLink.objects.bulk_create(self._new, batch_size=1000,
                                                ignore_conflicts=True)
            AssociationLink.objects.bulk_update(
                self._changed, ["to_link", "pending_sf_id", "pending_hs_id", "sf_id",
                                "synced_at"], batch_size=1000)
        self._new, self._changed, self._gone = [], [], []

    def push_hs(self, a: AssociationSpec, add: list[tuple[RecordLink, RecordLink]],
                remove: list[tuple[RecordLink, str]]) -> None:
        owner, target = self.spec(a.owner), self.spec(a.target)
        if remove:
            self.hs.unassociate_many(owner.hs_type, target.hs_type,
                                     [(lk.hs_id, old) for lk, old in remove])
            self.count(a, len(remove))
        if add:
            pairs = [(lk.hs_id or "", t.hs_id or "") for lk, t in add]
            outcomes = self.hs.associate_many(owner.hs_type, target.hs_type, pairs,
                                              type_id=HS_TYPE_ID.get(a.key))
            self.count(a, sum(1 for o in outcomes if o.ok))

    # ---- multi-valued: a junction object -------------------------------------------------

    def junction(self, a: AssociationSpec, rows: list[dict[str, Any]], hs_ids: list[str]
                 ) -> None:
        owners_sf, _ = self.links(a.owner, sf_ids=[r.get(a.junction_owner) or "" for r in rows])
        targets_sf, _ = self.links(a.target, sf_ids=[r.get(a.junction_target) or "" for r in rows])
        by_junction = {s.sf_id: s for s in AssociationLink.objects.filter(
            account=self.account, kind=a.key, sf_id__in=[r["Id"] for r in rows])}
        add: list[tuple[RecordLink, RecordLink]] = []
        remove: list[tuple[RecordLink, str]] = []
        for r in rows:
            known = by_junction.get(r["Id"])
            if r.get("IsDeleted"):
                if known is not None:
                    if known.to_link is not None and known.to_link.hs_id:
                        remove.append((known.from_link, known.to_link.hs_id))
                    self._gone.append(known.pk)
                continue
            owner = owners_sf.get(r.get(a.junction_owner) or "")
            target = targets_sf.get(r.get(a.junction_target) or "")
            if owner is None or not owner.hs_id or known is not None and known.to_link:
                continue
            if target is None or not target.hs_id:
                self.store(a, owner, known, None, pending_sf=r.get(a.junction_target) or "",
                           sf_id=r["Id"])
                continue
            add.append((owner, target))
            self.store(a, owner, known, target, sf_id=r["Id"])
        self.push_hs(a, add, remove)
        self.junction_from_hs(a, hs_ids)

    def junction_from_hs(self, a: AssociationSpec, hs_ids: list[str]) -> None:
        """HubSpot deals whose contacts changed: new ones become contact roles, removed
        ones are deleted in Salesforce."""
        self.flush()  # what the Salesforce side stored just now counts as synced
        _, owners = self.links(a.owner, hs_ids=hs_ids)
        owners = {k: v for k, v in owners.items() if v.sf_id}
        if not owners:
            return
        listed = self.hs_targets(a, list(owners))
        _, targets = self.links(a.target, hs_ids=[t for ts in listed.values() for t in ts])
        stored: dict[int, list[AssociationLink]] = {}
        for s in AssociationLink.objects.filter(account=self.account, kind=a.key,
                                                from_link__in=[o.pk for o in owners.values()]
                                                ).select_related("to_link"):
            stored.setdefault(s.from_link_id, []).append(s)
        creates: list[tuple[RecordLink, RecordLink]] = []
        deletes: list[AssociationLink] = []
        for hs_id, owner in owners.items():
            have = {s.to_link.hs_id: s for s in stored.get(owner.pk, []) if s.to_link}
            want = set(listed.get(hs_id, []))
            for t in want - set(have):
                target = targets.get(t)
                if target is not None and target.sf_id:
                    creates.append((owner, target))
            deletes += [s for t, s in have.items() if t not in want and s.sf_id]
        if creates:
            records = [{a.junction_owner: o.sf_id, a.junction_target: t.sf_id}
                       for o, t in creates]
            for (owner, target), outcome in zip(creates, self.sf.create_many(a.junction,
                                                                             records),
                                                strict=True):
                if outcome.ok:
                    self.store(a, owner, None, target, sf_id=outcome.id)
                    self.count(a)
        if deletes:
            self.sf.delete_many(a.junction, [s.sf_id for s in deletes])
            AssociationLink.objects.filter(pk__in=[s.pk for s in deletes]).delete()
            self.count(a, len(deletes))
