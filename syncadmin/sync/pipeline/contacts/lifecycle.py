"""Lifecycle stages (D5): contacts whose opportunities changed move to opportunity or
customer, never back; with company lifecycle sync, their account's other contacts follow."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from connectors.salesforce import parent_changes_soql
from syncadmin.sync import rules
from syncadmin.sync.models import RecordLink
from syncadmin.sync.pipeline.contacts.fields import query_in

if TYPE_CHECKING:
    from syncadmin.sync.pipeline.contacts.sync import ContactSync


def apply_lifecycle(cs: ContactSync, opportunities: list[dict[str, Any]],
                    roles: list[dict[str, Any]]) -> None:
    """Contacts whose opportunities changed move to opportunity / customer, never back."""
    opp_ids = [o["Id"] for o in opportunities]
    contact_ids = {r["ContactId"] for r in roles if r.get("ContactId")}
    if not opp_ids and not contact_ids:
        return
    if cs.lifecycle_complete:
        # Both streams were read from the beginning (an initial sync): every role and
        # opportunity is already here, no lookup is needed.
        contact_ids.update(r["ContactId"] for r in roles
                           if r.get("ContactId") and not r.get("IsDeleted"))
    elif opp_ids and cs.lifecycle_since is not None:
        # The contacts of every opportunity changed since the watermark, in one query
        # (a relationship filter, not a list of ids that would cost a call per 200).
        soql = parent_changes_soql("OpportunityContactRole", ["ContactId"], "Opportunity",
                                   cs.lifecycle_since)
        for rows in cs.sf.query(soql):
            contact_ids.update(r["ContactId"] for r in rows if r.get("ContactId"))
    elif opp_ids:
        for rows in query_in(cs.sf, "OpportunityContactRole", "ContactId", "OpportunityId",
                             opp_ids):
            contact_ids.update(r["ContactId"] for r in rows if r.get("ContactId"))
    links = {
        link.sf_id: link
        for link in RecordLink.objects.filter(
            account=cs.account, object="contacts", sf_object="Contact",
            sf_id__in=contact_ids, hs_id__isnull=False,
        )
    }
    if not links:
        return
    if cs.lifecycle_complete:
        all_roles = [r for r in roles if not r.get("IsDeleted") and r.get("ContactId") in links]
        opps = {o["Id"]: o for o in opportunities if not o.get("IsDeleted")}
    else:
        all_roles, opps = roles_of_contacts(cs, [k for k in links if k])
    current = {
        r["id"]: (r.get("properties") or {}).get("lifecyclestage")
        for r in cs.hs.get_many("contacts", [lk.hs_id for lk in links.values()],
                                ["lifecyclestage"])
    }
    updates: dict[str, str] = {}
    roles_of: dict[str, list[dict[str, Any]]] = {}  # by contact: one pass, not one per link
    for r in all_roles:
        roles_of.setdefault(r["ContactId"], []).append(r)
    for sf_id, link in links.items():
        states = [(bool(opps[r["OpportunityId"]].get("IsClosed")),
                   bool(opps[r["OpportunityId"]].get("IsWon")))
                  for r in roles_of.get(sf_id or "", ())
                  if r["OpportunityId"] in opps]
        stage = rules.lifecycle_from_opportunities(
            cs.policy, current.get(link.hs_id or ""), states, sf_object="Contact")
        if stage:
            updates[link.hs_id or ""] = stage
    if updates and cs.policy.company_lifecycle_sync:
        moved = {sf_id: updates[lk.hs_id] for sf_id, lk in links.items()
                 if sf_id and lk.hs_id in updates}
        updates.update(company_colleagues(cs, moved))
    if updates:
        records = [{"id": hs_id, "properties": {"lifecyclestage": stage}}
                   for hs_id, stage in updates.items()]
        for outcome in cs.hs.update_many("contacts", records):
            if outcome.ok:
                cs.result.to_hs.updated += 1


def roles_of_contacts(cs: ContactSync, contact_ids: list[str]
                      ) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """Every contact role of these contacts with its opportunity's state: one query per
    200 contacts (the opportunity comes along as a relationship field)."""
    roles: list[dict[str, Any]] = []
    opps: dict[str, dict[str, Any]] = {}
    fields = "ContactId, OpportunityId, Opportunity.IsClosed, Opportunity.IsWon"
    for rows in query_in(cs.sf, "OpportunityContactRole", fields, "ContactId",
                         contact_ids):
        for r in rows:
            opp = r.get("Opportunity") or {}
            opps[r["OpportunityId"]] = {"Id": r["OpportunityId"],
                                        "IsClosed": opp.get("IsClosed"),
                                        "IsWon": opp.get("IsWon")}
            roles.append(r)
    return roles, opps


def company_colleagues(cs: ContactSync, moved: dict[str, str]) -> dict[str, str]:
    """D5 with company lifecycle sync: the other contacts of the same Salesforce account
    move forward to the stage their colleague reached (never backward)."""
    account_of = {r["Id"]: r.get("AccountId") for rows in query_in(
        cs.sf, "Contact", "Id, AccountId", "Id", moved) for r in rows}
    stage_of_account: dict[str, str] = {}
    for sf_id, stage in moved.items():
        acc = account_of.get(sf_id)
        if acc and (acc not in stage_of_account
                    or rules.is_later_stage(stage, stage_of_account[acc])):
            stage_of_account[acc] = stage
    if not stage_of_account:
        return {}
    colleagues = [r for rows in query_in(cs.sf, "Contact", "Id, AccountId", "AccountId",
                                         stage_of_account) for r in rows
                  if r["Id"] not in moved]
    links = {lk.sf_id: lk for lk in RecordLink.objects.filter(
        account=cs.account, object="contacts", sf_object="Contact",
        sf_id__in=[r["Id"] for r in colleagues], hs_id__isnull=False)}
    if not links:
        return {}
    current = {r["id"]: (r.get("properties") or {}).get("lifecyclestage")
               for r in cs.hs.get_many("contacts", [lk.hs_id for lk in links.values()],
                                       ["lifecyclestage"])}
    by_account: dict[str, list[dict[str, Any]]] = {}
    for r in colleagues:
        by_account.setdefault(r.get("AccountId") or "", []).append(r)
    out: dict[str, str] = {}
    for acc, stage in stage_of_account.items():
        stages = {lk.hs_id: current.get(lk.hs_id or "") for r in by_account.get(acc, ())
                  if (lk := links.get(r["Id"])) and lk.hs_id}
        out.update(rules.company_lifecycle_propagation(cs.policy, stages, stage))
    return out

