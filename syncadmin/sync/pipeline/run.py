"""One run over every enabled object: read → link → plan → write → commit, then associations,
then watermarks (DESIGN.md decisions 4 and 11).

Salesforce is read once per run for all objects: one query per Salesforce object with the
union of the fields its consumers need, from the earliest of their watermarks, all in one
composite request when idle. Each consumer then gets only the rows past its own watermark.
Objects are applied in dependency order (companies before contacts before deals and
tickets), so associations find both ends linked; a missing end waits for a later run.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from connectors.errors import BudgetExhausted, Kind
from connectors.salesforce import changes_soql, parse_sf_datetime, select_in_soqls
from connectors.salesforce_changes import read_changes
from syncadmin.integration import value_defaults
from syncadmin.integration.models import FieldMapping, ObjectSync, ValueMapping
from syncadmin.sync import objects
from syncadmin.sync.models import Watermark
from syncadmin.sync.objects import HS_SF_ID, SF_EXT_ID
from syncadmin.sync.pipeline import associations, custom, merges, properties, repair, transient
from syncadmin.sync.pipeline.activities.stage import ActivitySync
from syncadmin.sync.pipeline.commit import clear_account_error, record_account_error
from syncadmin.sync.pipeline.contacts import EPOCH, LAG, LIFECYCLE_STREAMS, STREAM_KEYS, ContactSync
from syncadmin.sync.pipeline.object_sync import ObjectPipeline
from syncadmin.sync.pipeline.purged import missing_as_deleted
from syncadmin.sync.pipeline.types import ObjectResult, Policy
from syncadmin.sync.pipeline.values import Converter, ValueMaps, ValueRow
from syncadmin.sync.rules import Mapping

COMPOSITE_QUERIES = 5  # Salesforce's cap on query subrequests in one composite request
PROBE_WINDOW = dt.timedelta(days=14)  # getUpdated/getDeleted reach back 15-30 days
PROBE_FIRST = {"Case": 0, "Account": 1}  # probed before the others when over the cap


@dataclass
class RunResult:
    objects: dict[str, ObjectResult] = field(default_factory=dict)
    sf_calls: int = 0
    hs_calls: int = 0
    seconds: float = 0.0
    paused: bool = False
    message: str = ""

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {key: r.as_dict() for key, r in self.objects.items()}
        out.update(sf_api_calls=self.sf_calls, hs_api_calls=self.hs_calls,
                   seconds=round(self.seconds, 3), paused=self.paused)
        return out


@dataclass
class Stream:
    """One consumer of one Salesforce object's changes."""

    key: str  # watermark key
    sobject: str
    fields: set[str]
    since: dt.datetime
    rows: list[dict[str, Any]] = field(default_factory=list)


def enabled_objects(account: Any) -> list[str]:
    """Contacts always; the other objects when their tab's sync is on (E1); custom objects
    (E3) by their `custom:API_NAME` keys."""
    on = set(ObjectSync.objects.filter(account=account, enabled=True)
             .values_list("object", flat=True))
    customs = [objects.custom.key_for(r.sf_object) for r in custom.rows(account)]
    return objects.sync_order(["contacts", *(k for k in objects.standard_keys() if k in on),
                               *customs])


def mappings_for(account: Any, key: str) -> list[Mapping]:
    return [Mapping(hs_property=m.hs_property, sf_field=m.sf_field,
                    sf_lead_field=m.sf_lead_field, rule=m.sync_rule,
                    conflict_app=m.conflict_app, enabled=m.enabled, field_type=m.field_type)
            for m in FieldMapping.objects.filter(account=account, object=key)]


class AccountSync:
    def __init__(self, account: Any, sf: Any, hs: Any, *,
                 progress: Callable[[int, int], None] | None = None) -> None:
        self.account, self.sf, self.hs = account, sf, hs
        self._progress = progress or (lambda done, total: None)
        self.enabled = enabled_objects(account)
        self.contacts = ContactSync(account, sf, hs, progress=progress)
        self.pipelines: dict[str, ObjectPipeline] = {}
        rows = {r.object: r for r in ObjectSync.objects.filter(account=account,
                                                                object__in=self.enabled)}
        self.custom_rows = {objects.custom.key_for(r.sf_object): r
                            for r in custom.rows(account)}
        rows.update(self.custom_rows)
        for key in self.enabled:
            if key == "contacts":
                continue
            row = rows[key]
            spec = custom.spec_of(row) if key in self.custom_rows else objects.get(key)
            policy = Policy(direction=row.direction, conflict_app=row.conflict_app,
                            sf_deletion=row.sf_deletion, hs_filter=row.hs_filter or {},
                            sf_filter=row.sf_filter or {})
            if spec.one_way:
                policy = Policy(direction="to_hubspot", conflict_app="salesforce",
                                sf_deletion=row.sf_deletion, sf_filter=row.sf_filter or {})
            converter = Converter(key, mappings_for(account, key), self.value_maps(key))
            self.pipelines[key] = ObjectPipeline(account, spec, policy, converter,
                                                 sf, hs, tick=self.tick)
        self.assoc = self.active_associations()
        if any(a.key == "contact_company" for a in self.assoc):
            self.contacts.extra_contact_fields.add("AccountId")
        self.result = RunResult()
        self._streams: list[Stream] = []

    def tick(self) -> None:
        self.contacts.tick()

    def value_maps(self, key: str) -> ValueMaps:
        rows = ValueMapping.objects.filter(account=self.account, object=key).order_by("id")
        return ValueMaps.of(ValueRow(r.hs_property, r.pipeline, r.hs_value, r.sf_value)
                            for r in rows)

    # ---- watermarks ------------------------------------------------------------------------

    def watermark(self, side: str, key: str) -> dt.datetime:
        row = Watermark.objects.filter(account=self.account, side=side, stream=key).first()
        return row.value if row else EPOCH

    def set_watermark(self, side: str, key: str, value: dt.datetime) -> None:
        Watermark.objects.update_or_create(account=self.account, side=side, stream=key,
                                           defaults={"value": value})

    def streams(self, full: bool) -> list[Stream]:
        def since(key: str) -> dt.datetime:
            return EPOCH if full else self.watermark("salesforce", key)

        c = self.contacts
        out = [Stream(STREAM_KEYS[o], o, set(c.sf_fields(o)), since(STREAM_KEYS[o]))
               for o in ("Contact", "Lead")]
        if c.policy.lifecycle == "update":
            out += [Stream(STREAM_KEYS[o], o, {f.strip() for f in fields.split(",")},
                           since(STREAM_KEYS[o])) for o, fields in LIFECYCLE_STREAMS.items()]
        for pipe in self.pipelines.values():
            spec = pipe.spec
            out.append(Stream(spec.watermark_stream(spec.sf_object), spec.sf_object,
                              set(pipe.sf_fields()), since(spec.watermark_stream(spec.sf_object))))
        for s in out:  # a merged-away row names its master (merges.py)
            if s.sobject in merges.SF_MERGEABLE:
                s.fields.add(merges.SF_MASTER)
        for a in self.assoc:
            if a.junction:
                key = f"{a.owner}:{a.junction}"
                out.append(Stream(key, a.junction, {"Id", "IsDeleted", "SystemModstamp",
                                                    a.junction_owner, a.junction_target},
                                  since(key)))
        return out

    # ---- the run ---------------------------------------------------------------------------

    def run(self, *, full: bool = False) -> RunResult:
        started = time.monotonic()
        run_started = timezone.now()
        next_watermark = (timezone.now() - LAG).replace(microsecond=0)
        # HubSpot search is eventually consistent: its watermarks stay behind what search has
        # surely indexed, so a write indexed after this run's search is read by the next run.
        hs_watermark = min(next_watermark, self.hs.searchable_until(timezone.now()))
        hs_since = {k: EPOCH if full else self.watermark("hubspot", k) for k in self.enabled}
        streams: list[Stream] = []
        try:
            self.ensure_custom_schemas()
            self.ensure_id_fields()
            clear_account_error(self.account, Kind.PERMISSIONS)  # the id fields are granted
            self.ensure_value_maps()
            for key in self.enabled:
                spec = self.spec(key)
                properties.ensure_properties(self.account, spec.hs_type, spec.sf_object,
                                             mappings_for(self.account, key), self.sf, self.hs)
            # After the set-up above, which may add mappings (and so fields to read).
            streams = self._streams = self.streams(full)
            self.read(streams)
            by_key = {s.key: s.rows for s in streams}
            for s in streams:
                s.rows = []  # by_key holds them now, and lets each go once it is applied
            for key in self.enabled:
                if key == "contacts":
                    self.run_contacts(by_key, hs_since["contacts"], full)
                    for o in ("Contact", "Lead", *LIFECYCLE_STREAMS):
                        by_key.pop(STREAM_KEYS[o], None)
                else:
                    pipe = self.pipelines[key]
                    rows = by_key.pop(pipe.spec.watermark_stream(pipe.spec.sf_object), [])
                    self.result.objects[key] = pipe.run(rows, hs_since[key])
                    del rows
            assoc = associations.AssociationStage(self.account, self.sf, self.hs, self.assoc,
                                                  objects_of_run={k: p.spec for k, p in
                                                                  self.pipelines.items()})
            counts = assoc.run(self.pipelines, self.contacts, by_key)
            for key, n in counts.items():
                self.result.objects[key].associations += n
            self.run_activities(next_watermark, full)
            self.retry_transient(run_started)
        except BudgetExhausted as exc:
            self.result.paused, self.result.message = True, exc.message
            record_account_error(self.account, exc)
        else:
            for s in streams:
                self.set_watermark("salesforce", s.key, next_watermark)
            for key in self.enabled:
                self.set_watermark("hubspot", key, hs_watermark)
            clear_account_error(self.account, Kind.ALLOCATION_REACHED)
        finally:
            self.result.sf_calls, self.result.hs_calls = self.sf.calls, self.hs.calls
            self.result.seconds = time.monotonic() - started
        return self.result

    def retry_transient(self, run_started: dt.datetime) -> None:
        """Failed records whose retry is due sync again now (the watermark has passed
        them); see pipeline/transient.py and retry_schedule.py."""
        due = transient.due(self.account, self.enabled, run_started, timezone.now())
        for key, links in due.items():
            if key == "contacts":
                self.contacts.run_links(links)
            else:
                repair.retry(self.pipelines[key], links)

    def run_activities(self, until: dt.datetime, full: bool) -> None:
        """Activities (G1–G5) come after the objects and their associations, so the contacts,
        companies and deals they attach to are linked by then; their watermarks are their own."""
        acts = ActivitySync(self.account, self.sf, self.hs, tick=self.tick)
        if acts.active:
            self.result.objects["activities"] = acts.run(until, full=full)

    def run_contacts(self, by_key: dict[str, list[dict[str, Any]]], hs_since: dt.datetime,
                     full: bool) -> None:
        rows = {o: by_key.get(STREAM_KEYS[o], []) for o in ("Contact", "Lead")}
        if self.contacts.policy.lifecycle == "update":
            rows.update({o: by_key.get(STREAM_KEYS[o], []) for o in LIFECYCLE_STREAMS})
            lifecycle = [s.since for s in self._streams
                         if s.key in {STREAM_KEYS[o] for o in LIFECYCLE_STREAMS}]
            self.contacts.lifecycle_complete = all(s == EPOCH for s in lifecycle)
            self.contacts.lifecycle_since = min(lifecycle) if lifecycle else None
        self.contacts.process(rows, hs_since, full=full)
        self.result.objects["contacts"] = self.contacts.result

    def read(self, streams: list[Stream]) -> None:
        """One query per Salesforce object for all its consumers, in one composite call.

        A composite request carries at most five queries; objects past five whose watermark
        is recent are probed with getUpdated/getDeleted in the same request instead, and
        queried by id only when they changed: an idle poll of every object is one call.
        Where the deletion log no longer reaches back to the watermark, linked records that
        are gone are read as deletions all the same (`purged`).
        """
        by_object: dict[str, list[Stream]] = {}
        for s in streams:
            by_object.setdefault(s.sobject, []).append(s)
        since = {obj: min(s.since for s in group) for obj, group in by_object.items()}
        fields = {obj: sorted(set().union(*(s.fields for s in group)))
                  for obj, group in by_object.items()}
        queries = {obj: changes_soql(obj, fields[obj], since[obj]) for obj in by_object}
        now = timezone.now()
        probes: dict[str, dt.datetime] = {}
        for obj in sorted(by_object, key=lambda o: PROBE_FIRST.get(o, 9)):
            if len(queries) - len(probes) <= COMPOSITE_QUERIES:
                break
            if now - since[obj] < PROBE_WINDOW:
                probes[obj] = since[obj]
        got_changes = read_changes(self.sf, {o: q for o, q in queries.items() if o not in probes},
                                   since, now, probes)
        rows = got_changes.rows
        for obj, ids in got_changes.changed.items():
            rows[obj] = []
            for soql in select_in_soqls(obj, fields[obj], "Id", sorted(ids)):
                rows[obj] += [r for page in self.sf.query(soql, include_deleted=True)
                              for r in page]
        for obj in got_changes.purged:  # the deletion log lost some: compare all ids
            got = rows.get(obj, [])
            rows[obj] = got + missing_as_deleted(self.account, self.sf, obj, got, now,
                                                 rows_are_all=since[obj] <= EPOCH)
        for obj, group in by_object.items():
            got = rows.get(obj, [])
            for s in group:
                if len(group) == 1 or s.since == since[obj]:
                    s.rows = got
                else:  # only what is past this consumer's own watermark
                    s.rows = [r for r in got if not r.get("SystemModstamp")
                              or parse_sf_datetime(r["SystemModstamp"]) > s.since]

    def ensure_value_maps(self) -> None:
        """Deal stages, ticket statuses and priorities get default mappings from the org's
        picklists and the portal's pipelines the first time their object syncs (E1)."""
        for key, pipe in self.pipelines.items():
            missing = [vm for vm in value_defaults.value_maps_for(key)
                       if not ValueMapping.objects.filter(account=self.account, object=key,
                                                          hs_property=vm.hs_property).exists()]
            if not missing:
                continue
            spec = pipe.spec
            fields = self.sf.describe(spec.sf_object).get("fields", [])
            self.add_optional_mappings(pipe, {f["name"] for f in fields})
            picklists = {f["name"]: [(p["value"], p.get("label") or p["value"])
                                     for p in f.get("picklistValues") or []
                                     if p.get("active", True)] for f in fields}
            pipelines = ({key: self.hs.pipelines(spec.hs_type)}
                         if any(vm.per_pipeline for vm in missing) else {})
            value_defaults.ensure_value_mappings(
                self.account, {vm.key: picklists.get(vm.sf_field, []) for vm in missing},
                pipelines)
            pipe.converter.maps = self.value_maps(key)

    def add_optional_mappings(self, pipe: ObjectPipeline, sf_fields: set[str]) -> None:
        """Mappings that exist only in some orgs (a deal's currency) are added when the
        org has the field, at the object's first sync."""
        spec = pipe.spec
        added = [FieldMapping(account=self.account, object=spec.key, hs_property=m.hs_property,
                              sf_field=m.sf_field, field_type=m.field_type, sync_rule=m.rule)
                 for m in spec.optional_mappings if m.sf_field in sf_fields]
        if added:
            FieldMapping.objects.bulk_create(added, ignore_conflicts=True)
            pipe.converter.mappings = mappings_for(self.account, spec.key)
            pipe.mappings = [m for m in pipe.converter.mappings
                             if m.enabled and m.rule != "none"]

    def spec(self, key: str) -> objects.ObjectSpec:
        pipe = self.pipelines.get(key)
        return pipe.spec if pipe is not None else objects.get(key)

    def active_associations(self) -> list[objects.AssociationSpec]:
        return objects.associations(self.enabled, [p.spec for p in self.pipelines.values()
                                                   if p.spec.one_way])

    def ensure_custom_schemas(self) -> None:
        """A custom object's first sync creates its HubSpot schema and mappings (E3)."""
        for key, row in self.custom_rows.items():
            pipe = self.pipelines.get(key)
            if pipe is None or row.hs_object:
                continue
            pipe.spec = custom.ensure_schema(self.account, row, self.sf, self.hs)
            pipe.converter.mappings = mappings_for(self.account, key)
            pipe.mappings = [m for m in pipe.converter.mappings
                             if m.enabled and m.rule != "none"]
        self.assoc = self.active_associations()

    def ensure_id_fields(self) -> None:
        """The id-carrying fields must exist on every object before its first write
        (decision 3): checked per object, so an object turned on later gets them too."""
        self.contacts.ensure_id_fields()
        for pipe in self.pipelines.values():
            spec = pipe.spec
            if spec.one_way:  # nothing is written to Salesforce; the schema has the id
                continue
            if Watermark.objects.filter(account=self.account, side="salesforce",
                                        stream=spec.watermark_stream(spec.sf_object)).exists():
                continue
            self.sf.ensure_external_id_field(spec.sf_object, SF_EXT_ID, "HubSpot Id")
            self.hs.ensure_property(spec.hs_type, HS_SF_ID, "Salesforce Id", unique=True)

    # ---- chosen records: retry (B6) and restore (H6, H7) --------------------------------

    def run_links(self, links: list[Any]) -> RunResult:
        return self._per_object(links, "retry")

    def restore(self, destination: str, links: list[Any]) -> RunResult:
        return self._per_object(links, "restore", destination)

    def _per_object(self, links: list[Any], what: str, destination: str = "") -> RunResult:
        started = time.monotonic()
        by_object: dict[str, list[Any]] = {}
        for link in links:
            by_object.setdefault(link.object, []).append(link)
        try:
            for key, group in by_object.items():
                if key == "contacts":
                    self.result.objects[key] = (
                        self.contacts.run_links(group) if what == "retry"
                        else self.contacts.restore(destination, group))
                    continue
                pipe = self.pipelines.get(key) or self.pipeline_for(key)
                if what == "retry":
                    repair.retry(pipe, group)
                else:
                    repair.restore(pipe, destination, group)
                self.result.objects[key] = pipe.result
        except BudgetExhausted as exc:
            self.result.paused, self.result.message = True, exc.message
            record_account_error(self.account, exc)
        self.result.sf_calls, self.result.hs_calls = self.sf.calls, self.hs.calls
        self.result.seconds = time.monotonic() - started
        return self.result

    def pipeline_for(self, key: str) -> ObjectPipeline:
        """An object whose sync is off still has records to retry or restore."""
        if objects.custom.is_custom(key):
            row = ObjectSync.objects.filter(account=self.account, object="custom",
                                            sf_object=objects.custom.sf_object_of(key)).first()
        else:
            row = ObjectSync.objects.filter(account=self.account, object=key).first()
        spec = custom.spec_of(row) if row and row.object == "custom" else objects.get(key)
        policy = Policy(direction=row.direction, conflict_app=row.conflict_app,
                        sf_deletion=row.sf_deletion) if row else Policy()
        if spec.one_way:
            policy = Policy(direction="to_hubspot", sf_deletion=policy.sf_deletion)
        converter = Converter(key, mappings_for(self.account, key), self.value_maps(key))
        return ObjectPipeline(self.account, spec, policy, converter,
                              self.sf, self.hs, tick=self.tick)
