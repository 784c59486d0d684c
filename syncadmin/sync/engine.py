"""The contact sync: read both sides' changes, decide with the pure rules, write in bulk.

Change detection by watermark (DESIGN.md decision 4): each run reads Salesforce rows with
SystemModstamp after the watermark — with queryAll, so deletions come in the same request —
and HubSpot contacts modified after it. The watermark then moves to the run's start minus
a lag, not to "now": a transaction can commit with an earlier timestamp than rows already
read, so the last seconds are read again by the next run. Overlap is harmless because
applying is idempotent; nothing is ever skipped. Writes are upserts keyed by the other
side's id (HubSpot_Id__c in Salesforce, the email or salesforce_id in HubSpot), so a run
killed anywhere and run again creates no duplicate (decision 3). Watermarks move only after
everything read was applied.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from connectors.errors import BudgetExhausted, Kind, RemoteError
from connectors.salesforce import soql_datetime, soql_quote
from syncadmin.accounts.models import Account
from syncadmin.integration.models import ContactSettings, FieldMapping
from syncadmin.sync import geo, rules
from syncadmin.sync.models import (
    Direction,
    LinkStatus,
    RecordLink,
    SyncError,
    Watermark,
)
from syncadmin.sync.pipeline import commit

log = logging.getLogger(__name__)

SF_EXT_ID = "HubSpot_Id__c"  # external-ID field carrying the HubSpot id on Lead and Contact
HS_SF_ID = "salesforce_id"  # unique HubSpot property carrying the Salesforce id
SF_OBJECTS = ("Contact", "Lead")
LINK_FIELDS = ["hs_id", "sf_id", "sf_object", "email", "label", "status", "excluded_reason",
               "snapshot", "synced_at", "updated_at"]
# Opportunity changes move contacts' lifecycle stages, through contact roles only (D5).
LIFECYCLE_STREAMS = {
    "Opportunity": "Id, IsClosed, IsWon, IsDeleted",
    "OpportunityContactRole": "Id, ContactId, OpportunityId, IsDeleted",
}
# Watermark keys: one per object, side and stream (a Deals sync also reads Opportunity).
STREAM_KEYS = {"Contact": "contacts:Contact", "Lead": "contacts:Lead",
               "Opportunity": "contacts:lifecycle:Opportunity",
               "OpportunityContactRole": "contacts:lifecycle:OpportunityContactRole"}
LAG = dt.timedelta(seconds=3)  # a transaction can commit with an earlier timestamp
APPLY_CHUNK = 5_000
EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
FAR_FUTURE = dt.datetime(2999, 1, 1, tzinfo=dt.UTC)
# Leads need a company; HubSpot's own integration sends this when the contact has none.
LEAD_COMPANY_PLACEHOLDER = "[not provided]"
ADDRESS = ("country", "state")


def query_in(sf: Any, sobject: str, fields: str, key: str, values: Iterable[str]
             ) -> Iterable[list[dict[str, Any]]]:
    """Pages of `sobject` rows whose `key` is one of `values`, in URL-sized chunks."""
    ordered = sorted(set(values))
    for start in range(0, len(ordered), 200):
        chunk = ", ".join(soql_quote(v) for v in ordered[start:start + 200])
        yield from sf.query(f"SELECT {fields} FROM {sobject} WHERE {key} IN ({chunk})")


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    failed: int = 0
    excluded: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass(slots=True)  # one per record: slots keep a 100k-record sync smaller
class Pair:
    """One person as seen in this run on either side."""

    link: RecordLink | None = None
    sf: dict[str, Any] | None = None  # raw Salesforce row
    sf_object: str = ""
    hs: dict[str, Any] | None = None  # HubSpot properties
    hs_id: str | None = None
    sf_deleted: bool = False
    hs_deleted: bool = False
    failed: bool = False
    duplicate: bool = False
    errors: list[tuple[RemoteError | None, str]] = field(default_factory=list)


@dataclass
class Result:
    to_hs: Counts = field(default_factory=Counts)
    to_sf: Counts = field(default_factory=Counts)
    sf_calls: int = 0
    hs_calls: int = 0
    seconds: float = 0.0
    paused: bool = False
    message: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "contacts": {"to_hs": self.to_hs.as_dict(), "to_sf": self.to_sf.as_dict()},
            "sf_api_calls": self.sf_calls,
            "hs_api_calls": self.hs_calls,
            "seconds": round(self.seconds, 3),
            "paused": self.paused,
        }


def policy_of(settings_row: ContactSettings) -> rules.ContactPolicy:
    names = rules.ContactPolicy.__dataclass_fields__
    return rules.ContactPolicy(**{n: getattr(settings_row, n) for n in names})


def mappings_of(account: Account) -> list[rules.Mapping]:
    return [
        rules.Mapping(
            hs_property=m.hs_property, sf_field=m.sf_field, sf_lead_field=m.sf_lead_field,
            rule=m.sync_rule, conflict_app=m.conflict_app, enabled=m.enabled,
            field_type=m.field_type,
        )
        for m in FieldMapping.objects.filter(account=account, object="contacts")
    ]


class ContactSync:
    def __init__(self, account: Account, sf: Any, hs: Any, *, progress: Any = None) -> None:
        self.account = account
        self.sf = sf
        self.hs = hs
        self.policy = policy_of(account.contacts)
        self.mappings = [m for m in mappings_of(account) if m.enabled and m.rule != "none"]
        self.result = Result()
        self._progress = progress or (lambda done, total: None)
        self._done = self._total = 0
        self._members: set[str] | None = None
        self.extra_contact_fields: set[str] = set()  # AccountId, when companies sync (E2)
        self.seen_contacts: list[dict[str, Any]] = []  # this run's Contact rows
        self.seen_hs_ids: list[str] = []  # this run's changed HubSpot contacts
        self.lifecycle_complete = False  # opportunity streams read from the beginning
        self.lifecycle_since: dt.datetime | None = None  # the opportunity stream's watermark
        self._custom_picklists: tuple[dict[str, str], dict[str, dict[str, str]]] | None = None

    def progress(self, done: int, total: int) -> None:
        self._done, self._total = done, total
        self._progress(done, total)

    def tick(self) -> None:
        """Long reads report in too, so the run's lock is renewed while it is alive."""
        self._progress(self._done, self._total)

    # ---- fields -------------------------------------------------------------------------

    def sf_fields(self, sf_object: str) -> list[str]:
        names = {"Id", "SystemModstamp", "IsDeleted", "Email", SF_EXT_ID}
        if sf_object == "Lead":
            names |= {"IsConverted", "ConvertedContactId"}
        else:
            names |= self.extra_contact_fields
        for m in self.mappings:
            if m.hs_property in ADDRESS:
                continue
            name = m.sf_name(sf_object)
            if name:
                names.add(name)
        prefix = "Mailing" if sf_object == "Contact" else ""
        if any(m.hs_property in ADDRESS for m in self.mappings):
            names |= {f"{prefix}Country", f"{prefix}State"}
            if self.policy.sf_picklist_mode != "disabled":
                names |= {f"{prefix}CountryCode", f"{prefix}StateCode"}
        return sorted(names)

    def hs_properties(self) -> list[str]:
        props = {m.hs_property for m in self.mappings}
        return sorted(props | {"email", HS_SF_ID, "lifecyclestage", "hs_object_id"})

    def canonical_sf(self, sf_object: str, row: dict[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for m in self.mappings:
            if m.hs_property in ADDRESS:
                continue
            name = m.sf_name(sf_object)
            if name:
                values[m.hs_property] = row.get(name)
        if any(m.hs_property in ADDRESS for m in self.mappings):
            address = geo.from_salesforce_address(
                row, sf_object=sf_object, sf_mode=self.policy.sf_picklist_mode
            )
            for key in ADDRESS:
                if any(m.hs_property == key for m in self.mappings):
                    values[key] = address.get(key)
        return values

    def canonical_hs(self, props: dict[str, Any]) -> dict[str, Any]:
        return {m.hs_property: props.get(m.hs_property) for m in self.mappings}

    def to_sf_fields(self, sf_object: str, values: dict[str, Any]) -> dict[str, Any]:
        """Canonical values → Salesforce field names (raises geo.PicklistError)."""
        out: dict[str, Any] = {}
        for m in self.mappings:
            if m.hs_property not in values or m.hs_property in ADDRESS:
                continue
            name = m.sf_name(sf_object)
            if name:
                value = values[m.hs_property]
                out[name] = None if value == "" else value
        address = {k: values[k] for k in ADDRESS if k in values}
        if address:
            customs, states = self.custom_picklists()
            out.update(geo.to_salesforce_address(
                address, sf_object=sf_object, sf_mode=self.policy.sf_picklist_mode,
                hs_mode=self.policy.hs_state_country_mode,
                custom_countries=customs or None, custom_states=states or None,
            ))
        return out

    def custom_picklists(self) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
        """The org's own CountryCode/StateCode picklists, for the customized mode."""
        if self.policy.sf_picklist_mode != "customized":
            return {}, {}
        if self._custom_picklists is None:
            describe = self.sf.describe("Contact")
            countries: dict[str, str] = {}
            states: dict[str, dict[str, str]] = {}
            for f in describe.get("fields", []):
                if f["name"] == "MailingCountryCode":
                    countries = {p["value"]: p["label"] for p in f.get("picklistValues", [])
                                 if p.get("active", True)}
                elif f["name"] == "MailingStateCode":
                    for p in f.get("picklistValues", []):
                        country = p.get("country") or (p["value"].split("-")[0] if "-" in p[
                            "value"] else "")
                        states.setdefault(country, {})[p["value"]] = p["label"]
            self._custom_picklists = (countries, states)
        return self._custom_picklists

    # ---- reading ------------------------------------------------------------------------

    def watermark(self, side: str, stream: str) -> dt.datetime:
        row = Watermark.objects.filter(account=self.account, side=side, stream=stream).first()
        return row.value if row else EPOCH

    def set_watermark(self, side: str, stream: str, value: dt.datetime) -> None:
        Watermark.objects.update_or_create(
            account=self.account, side=side, stream=stream, defaults={"value": value}
        )

    def sf_queries(self, since: dict[str, dt.datetime]) -> dict[str, str]:
        """Changed and deleted leads and contacts, and the opportunity changes that move
        lifecycle stages (read with queryAll, in the run's one composite request)."""
        queries = {
            obj: (
                f"SELECT {', '.join(self.sf_fields(obj))} FROM {obj} "
                f"WHERE SystemModstamp > {soql_datetime(since[obj])} ORDER BY SystemModstamp"
            )
            for obj in SF_OBJECTS
        }
        if self.policy.lifecycle == "update":
            for obj, fields in LIFECYCLE_STREAMS.items():
                queries[obj] = (
                    f"SELECT {fields} FROM {obj} WHERE SystemModstamp > {soql_datetime(since[obj])}"
                )
        return queries

    def read_salesforce(self, since: dict[str, dt.datetime]) -> dict[str, list[dict[str, Any]]]:
        return self.sf.poll(self.sf_queries(since), include_deleted=True)

    def streams(self) -> tuple[str, ...]:
        return (*SF_OBJECTS, *LIFECYCLE_STREAMS)

    def since(self, full: bool) -> dict[str, dt.datetime]:
        return {obj: EPOCH if full else self.watermark("salesforce", STREAM_KEYS[obj])
                for obj in self.streams()}

    def read_hubspot(self, since: dt.datetime, *, full: bool) -> Iterable[list[dict[str, Any]]]:
        # Search pages hold 200 records against 100 for a list page: half the calls, also
        # for a full read (the adapter restarts the search past HubSpot's 10,000 cap).
        return self.hs.changed("contacts", self.hs_properties(), EPOCH if full else since,
                               FAR_FUTURE)

    def newly_archived(self) -> list[dict[str, Any]]:
        """Synced HubSpot contacts archived since they were last seen (search skips them)."""
        out: list[dict[str, Any]] = []
        for page in self.hs.list_all("contacts", ["email"], archived=True):
            by_id = {r["id"]: r for r in page}
            fresh = RecordLink.objects.filter(
                account=self.account, object="contacts", hs_id__in=list(by_id)
            ).exclude(status=LinkStatus.DELETED_HS).values_list("hs_id", flat=True)
            out.extend(by_id[hs_id] for hs_id in fresh if hs_id)
            self.tick()
        return out

    def inclusion_members(self) -> set[str] | None:
        if not self.policy.inclusion_list_id:
            return None
        if self._members is None:
            self._members = self.hs.list_members(self.policy.inclusion_list_id)
        return self._members

    # ---- the run ------------------------------------------------------------------------

    def run(self, *, full: bool = False) -> Result:
        """Contacts alone, reading and moving their own watermarks (run.py syncs every
        object in one pass; this stays for the contact-only callers)."""
        started = time.monotonic()
        # The next run starts reading here (see the module docstring).
        next_watermark = (timezone.now() - LAG).replace(microsecond=0)
        since = self.since(full)
        hs_since = EPOCH if full else self.watermark("hubspot", "contacts")
        try:
            self.ensure_id_fields()
            self.process(self.read_salesforce(since), hs_since, full=full)
        except BudgetExhausted as exc:
            self.result.paused = True
            self.result.message = exc.message
            record_account_error(self.account, exc)
        else:
            self.set_watermarks(next_watermark)
            clear_account_error(self.account, Kind.ALLOCATION_REACHED)
        finally:
            self.result.sf_calls = self.sf.calls
            self.result.hs_calls = self.hs.calls
            self.result.seconds = time.monotonic() - started
        return self.result

    def set_watermarks(self, value: dt.datetime) -> None:
        for obj in self.streams():
            self.set_watermark("salesforce", STREAM_KEYS[obj], value)
        self.set_watermark("hubspot", "contacts", value)

    def process(self, sf_rows: dict[str, list[dict[str, Any]]], hs_since: dt.datetime, *,
                full: bool) -> None:
        """Link, plan, write and commit the contacts read in this run."""
        opportunities = {k: sf_rows.pop(k, []) for k in LIFECYCLE_STREAMS}
        self.seen_contacts = list(sf_rows.get("Contact", []))
        pairs = self.collect(sf_rows, hs_since, full=full)
        del sf_rows
        self.apply_in_chunks(pairs)
        if self.policy.lifecycle == "update":
            self.apply_lifecycle(opportunities["Opportunity"],
                                 opportunities["OpportunityContactRole"])

    def ensure_id_fields(self) -> None:
        """The id-carrying fields must exist before the first write (decision 3)."""
        if Watermark.objects.filter(account=self.account, side="salesforce",
                                    stream=STREAM_KEYS["Contact"]).exists():
            return
        for obj in SF_OBJECTS:
            self.sf.ensure_external_id_field(obj, SF_EXT_ID, "HubSpot Id")
        self.hs.ensure_property("contacts", HS_SF_ID, "Salesforce Id", unique=True)

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

        # Converted leads follow their contact: the contact row carries the person on.
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

        merged = self.match_by_email(list(pairs.values()), full=full)
        return merged

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
        for chunk_start in range(0, len(emails), 100):
            chunk = emails[chunk_start:chunk_start + 100]
            quoted = ", ".join(soql_quote(e) for e in chunk)
            queries = {
                obj: f"SELECT {', '.join(self.sf_fields(obj))} FROM {obj} WHERE Email IN "
                     f"({quoted})" + (" AND IsConverted = false" if obj == "Lead" else "")
                for obj in SF_OBJECTS
            }
            rows = self.sf.poll(queries)
            for obj in ("Lead", "Contact"):  # a contact wins over a lead with the same email
                for row in rows.get(obj, []):
                    found[rules.normalize_email(row.get("Email"))] = (obj, row)
        for email, (obj, row) in found.items():
            hs_pair = hs_only.get(email)
            if hs_pair is not None and hs_pair.link is None:
                hs_pair.sf, hs_pair.sf_object = row, obj

    # ---- deciding and writing --------------------------------------------------------------

    def apply_in_chunks(self, pairs: list[Pair]) -> None:
        """Applies and saves a few thousand pairs at a time, then lets them go: a large
        initial sync's memory stays bounded by a chunk's links, plans and payloads."""
        total = len(pairs)
        while pairs:
            chunk = pairs[-APPLY_CHUNK:]
            del pairs[-APPLY_CHUNK:]
            self.apply(chunk, done=total - len(pairs) - len(chunk), overall=total)
            del chunk

    def apply(self, pairs: list[Pair], *, done: int = 0, overall: int | None = None) -> None:
        hs_updates: list[tuple[Pair, dict[str, Any]]] = []
        hs_creates: list[tuple[Pair, dict[str, Any]]] = []
        sf_updates: list[tuple[Pair, dict[str, Any]]] = []
        sf_creates: list[tuple[Pair, str, dict[str, Any]]] = []
        hs_archives: list[Pair] = []
        snapshots: dict[int, dict[str, Any]] = {}
        total = overall or len(pairs)

        for index, pair in enumerate(pairs):
            if index % 500 == 0:
                self.progress(done + index, total)
            link = pair.link or self.new_link(pair)
            pair.link = link
            if pair.sf_deleted:
                self.on_sf_deleted(pair, hs_archives)
                continue
            if pair.hs_deleted:
                link.status = LinkStatus.DELETED_HS
                link.save(update_fields=["status", "updated_at"])
                continue
            sf_object = pair.sf_object or link.sf_object
            sf_values = self.canonical_sf(sf_object, pair.sf) if pair.sf is not None else None
            hs_values = self.canonical_hs(pair.hs) if pair.hs is not None else None
            has_sf = pair.sf is not None or bool(link.sf_id)
            has_hs = pair.hs is not None or bool(link.hs_id or pair.hs_id)
            snapshot = link.snapshot or None
            # The side that did not change in this window still holds the snapshot values.
            if sf_values is None and has_sf:
                sf_values = dict(snapshot or {})
            if hs_values is None and has_hs:
                hs_values = dict(snapshot or {})

            email = (sf_values or {}).get("email") or (hs_values or {}).get("email")
            reason = rules.exclusion_reason(self.policy, email, duplicate_email=pair.duplicate)
            if reason and not (link.sf_id and link.hs_id):
                self.exclude(link, reason, pair)
                continue

            target = sf_object or rules.hs_to_sf_target(self.policy, existing_sf_object=None)
            plan = rules.plan_fields(self.mappings, hs_values if has_hs else None,
                                     sf_values if has_sf else None, snapshot,
                                     sf_object=target, direction=self.policy.direction)
            # State only makes sense with its country: send them together (D7).
            if any(k in plan.to_sf for k in ADDRESS) and hs_values is not None:
                for key in ADDRESS:
                    if key not in plan.to_sf and hs_values.get(key):
                        plan.to_sf[key] = hs_values[key]
            members = self.inclusion_members()
            in_list = members is None or (pair.hs_id or link.hs_id or "") in members
            to_hs_ok = rules.sf_to_hs_allowed(self.policy, linked=has_hs, in_inclusion_list=in_list)
            to_sf_ok = rules.hs_to_sf_allowed(self.policy, in_inclusion_list=in_list)
            link.label = self.label(sf_values, hs_values)
            link.email = rules.normalize_email(email)
            if not has_hs:
                if to_hs_ok:
                    props = {k: v for k, v in plan.to_hs.items() if v not in (None, "")}
                    props[HS_SF_ID] = pair.sf["Id"] if pair.sf else link.sf_id
                    hs_creates.append((pair, props))
                else:
                    self.exclude(link, "sf_to_hs_off", pair)
                    continue
            else:
                props = dict(plan.to_hs) if to_hs_ok else {}
                sf_id = (pair.sf or {}).get("Id") or link.sf_id
                if sf_id and (pair.hs or {}).get(HS_SF_ID) != sf_id and pair.hs is not None:
                    props[HS_SF_ID] = sf_id
                if props:
                    hs_updates.append((pair, props))
            if not has_sf:
                if not to_sf_ok:
                    # Outside the inclusion list, or HubSpot → Salesforce is off (D6, H1).
                    self.exclude(link, "filtered", pair)
                    continue
                target = rules.hs_to_sf_target(self.policy, existing_sf_object=None)
                sf_creates.append((pair, target, dict(plan.to_sf)))
            else:
                fields = dict(plan.to_sf) if to_sf_ok else {}
                hs_id = pair.hs_id or link.hs_id
                if fields or (hs_id and pair.sf is not None and pair.sf.get(SF_EXT_ID) != hs_id):
                    sf_updates.append((pair, fields))
            snapshots[id(pair)] = plan.snapshot

        self.progress(done + len(pairs), total)
        self.write_hubspot(hs_creates, hs_updates, hs_archives)
        self.write_salesforce(sf_creates, sf_updates)
        self.finish(pairs, snapshots)

    def label(self, sf_values: dict[str, Any] | None, hs_values: dict[str, Any] | None) -> str:
        v = {**(hs_values or {}), **{k: x for k, x in (sf_values or {}).items() if x}}
        name = " ".join(str(v.get(k) or "") for k in ("firstname", "lastname")).strip()
        email = v.get("email") or ""
        return (f"{name} <{email}>" if name and email else name or str(email))[:255]

    def new_link(self, pair: Pair) -> RecordLink:
        return RecordLink(
            account=self.account, object="contacts",
            sf_object=pair.sf_object if pair.sf is not None else "",
            sf_id=pair.sf["Id"] if pair.sf is not None else None,
            hs_id=pair.hs_id,
        )

    def exclude(self, link: RecordLink, reason: str, pair: Pair) -> None:
        link.status, link.excluded_reason = LinkStatus.EXCLUDED, reason
        if not link.label:
            link.label = self.label(
                self.canonical_sf(pair.sf_object, pair.sf) if pair.sf else None,
                self.canonical_hs(pair.hs) if pair.hs else None,
            )
            link.email = rules.normalize_email(
                (pair.sf or {}).get("Email") or (pair.hs or {}).get("email"))
        side = self.result.to_hs if pair.sf is not None else self.result.to_sf
        side.excluded += 1

    def on_sf_deleted(self, pair: Pair, hs_archives: list[Pair]) -> None:
        link = pair.link
        assert link is not None
        if link.pk is None:
            return  # never synced: nothing to do on the HubSpot side
        if rules.on_sf_deleted(self.policy) == "archive_hs" and link.hs_id:
            hs_archives.append(pair)
        link.status = LinkStatus.DELETED_SF
        link.save(update_fields=["status", "updated_at"])

    def write_hubspot(self, creates: list[tuple[Pair, dict[str, Any]]],
                      updates: list[tuple[Pair, dict[str, Any]]], archives: list[Pair]) -> None:
        counts = self.result.to_hs
        with_email = [(p, props) for p, props in creates if props.get("email")]
        without = [(p, props) for p, props in creates if not props.get("email")]
        # Upsert by email dedupes against contacts HubSpot already has (D1, H2).
        for group, id_prop in ((with_email, "email"), (without, HS_SF_ID)):
            if not group:
                continue
            records = [props for _, props in group]
            for (pair, _), outcome in zip(group, self.hs.upsert_many("contacts", id_prop,
                                                                      records), strict=True):
                if outcome.ok:
                    pair.hs_id = outcome.id
                    counts.created += 1 if outcome.created else 0
                    counts.updated += 0 if outcome.created else 1
                else:
                    self.fail(pair, outcome.error, Direction.TO_HS)
        if updates:
            records = [{"id": p.hs_id or p.link.hs_id, "properties": props}  # type: ignore[union-attr]
                       for p, props in updates]
            for (pair, _), outcome in zip(updates, self.hs.update_many("contacts", records),
                                          strict=True):
                if outcome.ok:
                    counts.updated += 1
                else:
                    self.fail(pair, outcome.error, Direction.TO_HS)
        if archives:
            ids = [p.link.hs_id for p in archives]  # type: ignore[union-attr]
            for pair, outcome in zip(archives, self.hs.archive_many("contacts", ids),
                                     strict=True):
                if outcome.ok:
                    counts.deleted += 1
                else:
                    self.fail(pair, outcome.error, Direction.TO_HS)

    def write_salesforce(self, creates: list[tuple[Pair, str, dict[str, Any]]],
                         updates: list[tuple[Pair, dict[str, Any]]]) -> None:
        counts = self.result.to_sf
        by_object: dict[str, list[tuple[Pair, dict[str, Any]]]] = {}
        for pair, target, values in creates:
            if pair.failed:
                continue
            hs_id = pair.hs_id or (pair.link.hs_id if pair.link else None)
            fields = self.sf_payload(pair, target, values)
            if fields is None or not hs_id:
                continue
            fields[SF_EXT_ID] = hs_id
            if target == "Lead" and not fields.get("Company"):
                fields["Company"] = LEAD_COMPANY_PLACEHOLDER
            pair.sf_object = target
            by_object.setdefault(target, []).append((pair, fields))
        for target, group in by_object.items():
            outcomes = self.sf.upsert_many(target, SF_EXT_ID, [f for _, f in group])
            stamps = []
            for (pair, _), outcome in zip(group, outcomes, strict=True):
                if outcome.ok:
                    pair.sf = {"Id": outcome.id}
                    counts.created += 1 if outcome.created else 0
                    counts.updated += 0 if outcome.created else 1
                    stamps.append((pair, {"id": pair.hs_id or pair.link.hs_id,  # type: ignore[union-attr]
                                          "properties": {HS_SF_ID: outcome.id}}))
                else:
                    self.fail(pair, outcome.error, Direction.TO_SF)
            # The new Salesforce id goes back on the HubSpot contact (DESIGN.md 3).
            if stamps:
                results = self.hs.update_many("contacts", [record for _, record in stamps])
                for (pair, _), outcome in zip(stamps, results, strict=True):
                    if not outcome.ok:
                        self.fail(pair, outcome.error, Direction.TO_HS)
        upd_by_object: dict[str, list[tuple[Pair, dict[str, Any]]]] = {}
        for pair, values in updates:
            if pair.failed:
                continue
            link = pair.link
            assert link is not None
            sf_object = pair.sf_object or link.sf_object
            fields = self.sf_payload(pair, sf_object, values)
            if fields is None:
                continue
            hs_id = pair.hs_id or link.hs_id
            if hs_id:
                fields[SF_EXT_ID] = hs_id
            fields["Id"] = (pair.sf or {}).get("Id") or link.sf_id
            upd_by_object.setdefault(sf_object, []).append((pair, fields))
        for sf_object, group in upd_by_object.items():
            outcomes = self.sf.update_many(sf_object, [f for _, f in group])
            for (pair, fields), outcome in zip(group, outcomes, strict=True):
                if outcome.ok:
                    if set(fields) - {"Id", SF_EXT_ID}:
                        counts.updated += 1
                else:
                    self.fail(pair, outcome.error, Direction.TO_SF)

    def sf_payload(self, pair: Pair, sf_object: str, values: dict[str, Any]
                   ) -> dict[str, Any] | None:
        try:
            return self.to_sf_fields(sf_object, values)
        except geo.PicklistError as exc:
            self.fail(pair, RemoteError(Kind.PICKLIST_VALUE, str(exc), code="PICKLIST_MATCH",
                                        remote="salesforce", fields=(exc.field,)),
                      Direction.TO_SF)
            return None

    def fail(self, pair: Pair, error: RemoteError | None, direction: str) -> None:
        pair.failed = True
        pair.errors.append((error, direction))
        side = self.result.to_hs if direction == Direction.TO_HS else self.result.to_sf
        side.failed += 1

    def finish(self, pairs: list[Pair], snapshots: dict[int, dict[str, Any]]) -> None:
        """Saves every link touched by this run in bulk, and the errors of failed ones."""
        now = timezone.now()
        new: list[RecordLink] = []
        changed: list[RecordLink] = []
        synced: list[RecordLink] = []
        failed: list[Pair] = []
        for pair in pairs:
            link = pair.link
            if link is None or link.status in (LinkStatus.DELETED_SF, LinkStatus.DELETED_HS):
                continue
            excluded = link.status == LinkStatus.EXCLUDED and id(pair) not in snapshots
            if not excluded:
                if pair.hs_id:
                    link.hs_id = pair.hs_id
                if pair.sf and pair.sf.get("Id"):
                    link.sf_id = pair.sf["Id"]
                    link.sf_object = pair.sf_object or link.sf_object
                if pair.errors:
                    link.status = LinkStatus.FAILED
                    failed.append(pair)
                else:
                    link.snapshot = snapshots.get(id(pair), link.snapshot)
                    link.status, link.excluded_reason = LinkStatus.IN_SYNC, ""
                    link.synced_at = now
                    synced.append(link)
            link.updated_at = now
            (changed if link.pk else new).append(link)
        with transaction.atomic():
            RecordLink.objects.bulk_create(new, batch_size=1000)
            RecordLink.objects.bulk_update(changed, LINK_FIELDS, batch_size=1000)
            # Errors are current only: a record that synced has none left (B4).
            SyncError.objects.filter(link__in=[lk.pk for lk in synced]).delete()
            for pair in failed:
                for error, direction in pair.errors:
                    record_error(self.account, pair.link, error, direction)

    # ---- retrying and restoring chosen records (B6, H6, H7) --------------------------------

    def run_links(self, links: list[RecordLink]) -> Result:
        """Syncs just these records again, reading their current state on both sides."""
        started = time.monotonic()
        try:
            sf_rows: dict[str, dict[str, Any]] = {}
            for obj in SF_OBJECTS:
                ids = [lk.sf_id for lk in links if lk.sf_object == obj and lk.sf_id]
                if ids:
                    for page in query_in(self.sf, obj, ", ".join(self.sf_fields(obj)), "Id",
                                         ids):
                        sf_rows.update((r["Id"], r) for r in page)
            hs_ids = [lk.hs_id for lk in links if lk.hs_id]
            hs_rows = {r["id"]: r for r in self.hs.get_many("contacts", hs_ids,
                                                              self.hs_properties())}
            pairs = []
            for link in links:
                row = sf_rows.get(link.sf_id or "")
                hs_row = hs_rows.get(link.hs_id or "")
                pairs.append(Pair(link=link, sf=row, sf_object=link.sf_object,
                                  hs=hs_row["properties"] if hs_row else None,
                                  hs_id=link.hs_id))
            self.apply(pairs)
        except BudgetExhausted as exc:
            self.result.paused, self.result.message = True, exc.message
            record_account_error(self.account, exc)
        self.result.sf_calls, self.result.hs_calls = self.sf.calls, self.hs.calls
        self.result.seconds = time.monotonic() - started
        return self.result

    def restore(self, destination: str, links: list[RecordLink]) -> Result:
        """Recreates deleted records in `destination` from their last synced values and
        relinks them. Upserts keyed by the other side's id make a second click a no-op."""
        started = time.monotonic()
        try:
            if destination == "hubspot":
                self._restore_in_hubspot(links)
            else:
                self._restore_in_salesforce(links)
        except BudgetExhausted as exc:
            self.result.paused, self.result.message = True, exc.message
            record_account_error(self.account, exc)
        self.result.sf_calls, self.result.hs_calls = self.sf.calls, self.hs.calls
        self.result.seconds = time.monotonic() - started
        return self.result

    def _restored(self, link: RecordLink) -> None:
        link.status, link.excluded_reason, link.synced_at = LinkStatus.IN_SYNC, "", timezone.now()
        link.save()
        SyncError.objects.filter(link=link).delete()

    def _restore_in_hubspot(self, links: list[RecordLink]) -> None:
        counts = self.result.to_hs
        groups: dict[str, list[tuple[RecordLink, dict[str, Any]]]] = {"email": [], HS_SF_ID: []}
        stamps: dict[str, list[dict[str, Any]]] = {}
        for link in links:
            props = {k: v for k, v in link.snapshot.items() if not rules.is_blank(v)}
            if link.sf_id:
                props[HS_SF_ID] = link.sf_id
            groups["email" if props.get("email") else HS_SF_ID].append((link, props))
        for id_prop, group in groups.items():
            group = [(lk, p) for lk, p in group if p.get(id_prop)]
            if not group:
                continue
            outcomes = self.hs.upsert_many("contacts", id_prop, [p for _, p in group])
            for (link, _), outcome in zip(group, outcomes, strict=True):
                if outcome.ok:
                    link.hs_id = outcome.id
                    counts.created += 1
                    self._restored(link)
                    if link.sf_id:
                        stamps.setdefault(link.sf_object, []).append(
                            {"Id": link.sf_id, SF_EXT_ID: outcome.id})
                else:
                    counts.failed += 1
                    record_error(self.account, link, outcome.error, Direction.TO_HS)
        # The Salesforce record must carry the new HubSpot id (DESIGN.md 3).
        for obj, records in stamps.items():
            self.sf.update_many(obj, records)

    def _restore_in_salesforce(self, links: list[RecordLink]) -> None:
        counts = self.result.to_sf
        by_object: dict[str, list[tuple[RecordLink, dict[str, Any]]]] = {}
        for link in links:
            if not link.hs_id:
                continue
            obj = link.sf_object or rules.hs_to_sf_target(self.policy, existing_sf_object=None)
            try:
                fields = self.to_sf_fields(obj, link.snapshot)
            except geo.PicklistError as exc:
                record_error(self.account, link, RemoteError(
                    Kind.PICKLIST_VALUE, str(exc), remote="salesforce"), Direction.TO_SF)
                counts.failed += 1
                continue
            fields = {k: v for k, v in fields.items() if v is not None}
            fields[SF_EXT_ID] = link.hs_id
            if obj == "Lead" and not fields.get("Company"):
                fields["Company"] = LEAD_COMPANY_PLACEHOLDER
            link.sf_object = obj
            by_object.setdefault(obj, []).append((link, fields))
        stamps = []
        for obj, group in by_object.items():
            outcomes = self.sf.upsert_many(obj, SF_EXT_ID, [f for _, f in group])
            for (link, _), outcome in zip(group, outcomes, strict=True):
                if outcome.ok:
                    link.sf_id = outcome.id
                    counts.created += 1
                    self._restored(link)
                    stamps.append({"id": link.hs_id, "properties": {HS_SF_ID: outcome.id}})
                else:
                    counts.failed += 1
                    record_error(self.account, link, outcome.error, Direction.TO_SF)
        if stamps:
            self.hs.update_many("contacts", stamps)

    # ---- lifecycle stages (D5) -----------------------------------------------------------

    def apply_lifecycle(self, opportunities: list[dict[str, Any]],
                        roles: list[dict[str, Any]]) -> None:
        """Contacts whose opportunities changed move to opportunity / customer, never back."""
        opp_ids = [o["Id"] for o in opportunities]
        contact_ids = {r["ContactId"] for r in roles if r.get("ContactId")}
        if not opp_ids and not contact_ids:
            return
        if self.lifecycle_complete:
            # Both streams were read from the beginning (an initial sync): every role and
            # opportunity is already here, no lookup is needed.
            contact_ids.update(r["ContactId"] for r in roles
                               if r.get("ContactId") and not r.get("IsDeleted"))
        elif opp_ids and self.lifecycle_since is not None:
            # The contacts of every opportunity changed since the watermark, in one query
            # (a relationship filter, not a list of ids that would cost a call per 200).
            since = soql_datetime(self.lifecycle_since)
            soql = ("SELECT ContactId FROM OpportunityContactRole "  # noqa: S608
                    f"WHERE Opportunity.SystemModstamp > {since}")
            for rows in self.sf.query(soql):
                contact_ids.update(r["ContactId"] for r in rows if r.get("ContactId"))
        elif opp_ids:
            for rows in query_in(self.sf, "OpportunityContactRole", "ContactId",
                                           "OpportunityId", opp_ids):
                contact_ids.update(r["ContactId"] for r in rows if r.get("ContactId"))
        links = {
            link.sf_id: link
            for link in RecordLink.objects.filter(
                account=self.account, object="contacts", sf_object="Contact",
                sf_id__in=contact_ids, hs_id__isnull=False,
            )
        }
        if not links:
            return
        if self.lifecycle_complete:
            all_roles = [r for r in roles if not r.get("IsDeleted") and r.get("ContactId") in links]
            opps = {o["Id"]: o for o in opportunities if not o.get("IsDeleted")}
        else:
            all_roles, opps = self.roles_of_contacts([k for k in links if k])
        current = {
            r["id"]: (r.get("properties") or {}).get("lifecyclestage")
            for r in self.hs.get_many("contacts", [lk.hs_id for lk in links.values()],
                                      ["lifecyclestage"])
        }
        updates: dict[str, str] = {}
        for sf_id, link in links.items():
            states = [(bool(opps[r["OpportunityId"]].get("IsClosed")),
                       bool(opps[r["OpportunityId"]].get("IsWon")))
                      for r in all_roles
                      if r["ContactId"] == sf_id and r["OpportunityId"] in opps]
            stage = rules.lifecycle_from_opportunities(
                self.policy, current.get(link.hs_id or ""), states, sf_object="Contact")
            if stage:
                updates[link.hs_id or ""] = stage
        if updates and self.policy.company_lifecycle_sync:
            moved = {sf_id: updates[lk.hs_id] for sf_id, lk in links.items()
                     if sf_id and lk.hs_id in updates}
            updates.update(self.company_colleagues(moved))
        if updates:
            records = [{"id": hs_id, "properties": {"lifecyclestage": stage}}
                       for hs_id, stage in updates.items()]
            for outcome in self.hs.update_many("contacts", records):
                if outcome.ok:
                    self.result.to_hs.updated += 1

    def roles_of_contacts(self, contact_ids: list[str]
                          ) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
        """Every contact role of these contacts with its opportunity's state: one query per
        200 contacts (the opportunity comes along as a relationship field)."""
        roles: list[dict[str, Any]] = []
        opps: dict[str, dict[str, Any]] = {}
        fields = "ContactId, OpportunityId, Opportunity.IsClosed, Opportunity.IsWon"
        for rows in query_in(self.sf, "OpportunityContactRole", fields, "ContactId",
                             contact_ids):
            for r in rows:
                opp = r.get("Opportunity") or {}
                opps[r["OpportunityId"]] = {"Id": r["OpportunityId"],
                                            "IsClosed": opp.get("IsClosed"),
                                            "IsWon": opp.get("IsWon")}
                roles.append(r)
        return roles, opps

    def company_colleagues(self, moved: dict[str, str]) -> dict[str, str]:
        """D5 with company lifecycle sync: the other contacts of the same Salesforce account
        move forward to the stage their colleague reached (never backward)."""
        account_of = {r["Id"]: r.get("AccountId") for rows in query_in(
            self.sf, "Contact", "Id, AccountId", "Id", moved) for r in rows}
        stage_of_account: dict[str, str] = {}
        for sf_id, stage in moved.items():
            acc = account_of.get(sf_id)
            if acc and (acc not in stage_of_account
                        or rules.is_later_stage(stage, stage_of_account[acc])):
                stage_of_account[acc] = stage
        if not stage_of_account:
            return {}
        colleagues = [r for rows in query_in(self.sf, "Contact", "Id, AccountId", "AccountId",
                                             stage_of_account) for r in rows
                      if r["Id"] not in moved]
        links = {lk.sf_id: lk for lk in RecordLink.objects.filter(
            account=self.account, object="contacts", sf_object="Contact",
            sf_id__in=[r["Id"] for r in colleagues], hs_id__isnull=False)}
        if not links:
            return {}
        current = {r["id"]: (r.get("properties") or {}).get("lifecyclestage")
                   for r in self.hs.get_many("contacts", [lk.hs_id for lk in links.values()],
                                             ["lifecyclestage"])}
        out: dict[str, str] = {}
        for acc, stage in stage_of_account.items():
            stages = {lk.hs_id: current.get(lk.hs_id or "") for r in colleagues
                      if r.get("AccountId") == acc and (lk := links.get(r["Id"])) and lk.hs_id}
            out.update(rules.company_lifecycle_propagation(self.policy, stages, stage))
        return out

def record_error(account: Account, link: RecordLink | None, error: RemoteError | None,
                 direction: str) -> None:
    commit.record_error(account, link, error, direction)


def record_account_error(account: Account, error: RemoteError) -> None:
    """Account-wide conditions (API allocation reached) are one card without a record."""
    obj = SyncError.objects.filter(account=account, link=None, kind=error.kind).first()
    if obj is None:
        SyncError.objects.create(account=account, link=None, kind=error.kind,
                                 object="contacts", direction=Direction.TO_SF,
                                 record_label=str(account), message=error.message)
    else:
        SyncError.objects.filter(pk=obj.pk).update(message=error.message,
                                                   last_seen=timezone.now(),
                                                   occurrences=obj.occurrences + 1)


def clear_account_error(account: Account, kind: Kind) -> None:
    SyncError.objects.filter(account=account, link=None, kind=kind).delete()
