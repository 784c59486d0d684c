"""In-memory state of the HubSpot emulator: object types, properties, records, search.

No HTTP here (see `connectors.sandbox.hubspot`). Every public method expects the caller to
hold `Portal.lock`.

Search is eventually consistent, as in HubSpot: `hs_index.SearchIndex`, which ObjectStore
builds on, keeps what search sees apart from what reads by id see.

Values are stored as HubSpot stores them: strings, datetimes as ISO-8601 UTC with
milliseconds, dates as YYYY-MM-DD. Object types, default properties and the
timestamp helpers are in `hs_defaults` (re-exported here).
"""

from __future__ import annotations

import bisect
import itertools
import re
import threading
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from connectors.sandbox.hs_defaults import (
    DEAL_STAGES,
    DEFAULT_PROPS,
    LEAD_STATUS,
    LIFECYCLE,
    OBJECT_TYPES,
    Prop,
    default_properties,
    iso,
    now_ms,
    parse_ms,
)
from connectors.sandbox.hs_index import Rec, SearchIndex

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")


@dataclass
class PropError:
    code: str
    name: str
    message: str


class ObjectStore(SearchIndex):
    """Records of one object type with a modified-date index and unique-value indexes."""

    def __init__(self, plural: str, type_id: str, singular: str, label: str,
                 ids: itertools.count) -> None:
        self.plural, self.type_id, self.singular, self.label = plural, type_id, singular, label
        self.props: dict[str, Prop] = {p.name: p for p in default_properties(plural)}
        self.records: dict[int, Rec] = {}
        self.mod_index: list[tuple[int, int]] = []  # (updated ms, id) of live records
        self.unique: dict[str, dict[str, int]] = {
            p.name: {} for p in self.props.values() if p.unique and p.name != "hs_object_id"
        }
        self._ids = ids
        self.index_delay_ms = 0  # Portal.store() keeps it at Portal.search_delay_ms
        # id -> (searchable from, the version search shows until then; None: not found)
        self._unindexed: dict[int, tuple[int, Rec | None]] = {}
        self._index_due: list[tuple[int, int]] = []  # heap of (searchable from, id)
        self.merged_into: dict[int, int] = {}  # merged-away id -> survivor (hs_merge)

    # ---- helpers -------------------------------------------------------------------------
    @property
    def mod_prop(self) -> str:
        return "lastmodifieddate" if self.plural == "contacts" else "hs_lastmodifieddate"

    def find_by(self, prop: str, value: str) -> Rec | None:
        if prop in ("hs_object_id", "id"):
            try:
                rec = self.records.get(self.survivor_of(int(value)))
            except ValueError:
                return None
            return rec if rec and not rec.archived else None
        idx = self.unique.get(prop)
        if idx is None:
            return None
        rid = idx.get(self.norm_unique(prop, str(value)))
        return self.records.get(rid) if rid is not None else None

    def live(self, rid: int) -> Rec | None:
        rec = self.records.get(self.survivor_of(rid))
        return rec if rec and not rec.archived else None

    def survivor_of(self, rid: int) -> int:
        """A merged-away id resolves to the record it was merged into (hs_merge)."""
        while rid in self.merged_into:
            rid = self.merged_into[rid]
        return rid

    def add_unique_index(self, name: str) -> None:
        idx: dict[str, int] = {}
        for rec in self.records.values():
            v = rec.props.get(name)
            if v and not rec.archived:
                idx.setdefault(self.norm_unique(name, v), rec.id)
        self.unique[name] = idx

    # ---- validation ----------------------------------------------------------------------
    def validate(self, values: dict[str, Any], *, creating: bool,
                 portal_id: int, owners: set[str]) -> tuple[dict[str, str], list[PropError]]:
        """Normalise property values; return (clean values, errors). '' clears a value."""
        clean: dict[str, str] = {}
        errors: list[PropError] = []
        for name, raw in values.items():
            p = self.props.get(name)
            if p is None:
                errors.append(PropError("PROPERTY_DOESNT_EXIST", name,
                                        f'Property "{name}" does not exist'))
                continue
            if p.read_only:
                errors.append(PropError("READ_ONLY_VALUE", name,
                                        f'"{name}" is a read only property; its value cannot '
                                        "be set."))
                continue
            if raw is None:
                clean[name] = ""
                continue
            v = ("true" if raw else "false") if isinstance(raw, bool) else str(raw)
            if v == "":
                clean[name] = ""
                continue
            err = None
            if name == "email" and self.plural == "contacts":
                v = v.strip()
                if not EMAIL_RE.match(v):
                    err = PropError("INVALID_EMAIL", name, f"Email address {v} is invalid")
                else:
                    v = v.lower()
            elif p.type == "number":
                try:
                    f = float(v)
                    if f != f or f in (float("inf"), float("-inf")):
                        raise ValueError
                except ValueError:
                    err = PropError("INVALID_INTEGER", name, f"{v} was not a valid number.")
            elif p.type == "bool":
                if v.lower() not in ("true", "false"):
                    err = PropError("INVALID_BOOLEAN", name, f"{v} was not a valid boolean.")
                else:
                    v = v.lower()
            elif p.type == "date":
                ms = parse_ms(v)
                if ms is None:
                    err = PropError("INVALID_DATE", name, f"{v} was not a valid date.")
                elif ms % 86_400_000:
                    err = PropError("INVALID_DATE", name, f"{v} is at not midnight!")
                else:
                    v = iso(ms)[:10]
            elif p.type == "datetime":
                ms = parse_ms(v)
                if ms is None:
                    err = PropError("INVALID_DATETIME", name, f"{v} was not a valid long.")
                else:
                    v = iso(ms)
            elif p.type == "enumeration":
                opts = list(p.options)
                if name == "hubspot_owner_id":
                    opts = sorted(owners)
                parts = v.split(";") if p.field_type == "checkbox" else [v]
                bad = [x for x in parts if x not in opts]
                if bad:
                    err = PropError("INVALID_OPTION", name,
                                    f'{bad[0]} was not one of the allowed options: '
                                    f"[{', '.join(opts)}]")
            if err:
                errors.append(err)
            else:
                clean[name] = v
        return clean, errors

    def unique_conflict(self, clean: dict[str, str], own_id: int | None) -> tuple[str, int] | None:
        for name, idx in self.unique.items():
            v = clean.get(name)
            if not v:
                continue
            other = idx.get(self.norm_unique(name, v))
            if other is not None and other != own_id:
                return name, other
        return None

    # ---- writes (indexing: hs_index) -----------------------------------------------------
    def _stamp(self, rec: Rec) -> None:
        rec.props["hs_object_id"] = str(rec.id)
        rec.props["createdate"] = rec.props.get("createdate") or iso(rec.created)
        rec.props["hs_createdate"] = iso(rec.created)
        rec.props["hs_lastmodifieddate"] = iso(rec.updated)
        if self.plural == "contacts":
            rec.props["lastmodifieddate"] = iso(rec.updated)

    def create(self, clean: dict[str, str], at: int | None = None,
               created: int | None = None, delay_ms: int | None = None) -> Rec:
        """`delay_ms` overrides the search delay (0: searchable at once, as for seed data)."""
        shown = self._before_write(None, delay_ms)
        ts = at if at is not None else now_ms()
        rid = next(self._ids)
        props = {k: v for k, v in clean.items() if v != ""}
        cms = created if created is not None else ts
        if "createdate" in props:
            cms = parse_ms(props["createdate"]) or cms
        rec = Rec(rid, props, cms, ts)
        self._stamp(rec)
        self.records[rid] = rec
        self._unique_add(rec)
        self._after_write(rec, shown, delay_ms)
        return rec

    def update(self, rec: Rec, clean: dict[str, str], at: int | None = None,
               delay_ms: int | None = None) -> Rec:
        shown = self._before_write(rec, delay_ms)
        if shown is None:
            self._mod_remove(rec)
        self._unique_remove(rec)
        for k, v in clean.items():
            if v == "":
                rec.props.pop(k, None)
            else:
                rec.props[k] = v
        ts = at if at is not None else now_ms()
        rec.updated = max(ts, rec.updated + 1) if at is None else ts
        self._stamp(rec)
        self._unique_add(rec)
        self._after_write(rec, shown, delay_ms)
        return rec

    def archive(self, rec: Rec) -> None:
        """Archived records leave search after the same delay as any write."""
        shown = self._before_write(rec, None)
        if shown is None:
            self._mod_remove(rec)
        self._unique_remove(rec)
        rec.archived = True
        rec.archived_at = now_ms()
        if shown is not None:
            self._after_write(rec, shown, None)

    # ---- reads ---------------------------------------------------------------------------
    def to_api(self, rec: Rec, props: list[str] | None,
               extra: dict[str, Any] | None = None) -> dict[str, Any]:
        names = props if props else DEFAULT_PROPS.get(
            self.plural, ["createdate", "hs_lastmodifieddate", "hs_object_id"])
        out: dict[str, Any] = {}
        for n in names:
            if n in self.props:
                out[n] = rec.props.get(n)
        for n in ("hs_object_id", "createdate", self.mod_prop):
            out[n] = rec.props.get(n)
        body: dict[str, Any] = {
            "id": str(rec.id),
            "properties": out,
            "createdAt": iso(rec.created),
            "updatedAt": iso(rec.updated),
            "archived": rec.archived,
        }
        if rec.archived and rec.archived_at:
            body["archivedAt"] = iso(rec.archived_at)
        if extra:
            body.update(extra)
        return body

    # ---- search --------------------------------------------------------------------------
    def _sort_value(self, name: str, rec: Rec) -> Any:
        return _sort_key(self.value_for_compare(rec, name))

    def value_for_compare(self, rec: Rec, name: str) -> Any:
        if name in ("hs_object_id", "id"):
            return rec.id
        v = rec.props.get(name)
        if v is None:
            return None
        p = self.props.get(name)
        if p and p.type in ("datetime", "date"):
            return parse_ms(v)
        if p and p.type == "number":
            try:
                return float(v)
            except ValueError:
                return None
        return v.lower()

    def coerce_filter_value(self, name: str, v: Any) -> Any:
        if name in ("hs_object_id", "id"):
            try:
                return int(float(v))
            except (TypeError, ValueError):
                return None
        p = self.props.get(name)
        if p and p.type in ("datetime", "date"):
            return parse_ms(v)
        if p and p.type == "number":
            try:
                return float(v)
            except (TypeError, ValueError):
                return None
        return str(v).lower() if v is not None else None

    def match(self, rec: Rec, f: dict[str, Any]) -> bool:
        name, op = f["propertyName"], f["operator"]
        val = self.value_for_compare(rec, name)
        if op == "HAS_PROPERTY":
            return val is not None
        if op == "NOT_HAS_PROPERTY":
            return val is None
        if op in ("IN", "NOT_IN"):
            vals = {self.coerce_filter_value(name, x) for x in f.get("values") or []}
            if op == "IN":
                return val is not None and val in vals
            return val is None or val not in vals
        if op in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
            tok = str(f.get("value", "")).lower().strip("*")
            has = val is not None and tok in str(val)
            return has if op == "CONTAINS_TOKEN" else not has
        target = self.coerce_filter_value(name, f.get("value"))
        if op == "EQ":
            return val is not None and val == target
        if op == "NEQ":
            return val is None or val != target
        if val is None or target is None:
            return False
        try:
            if op == "GT":
                return val > target
            if op == "GTE":
                return val >= target
            if op == "LT":
                return val < target
            if op == "LTE":
                return val <= target
            if op == "BETWEEN":
                hi = self.coerce_filter_value(name, f.get("highValue"))
                return hi is not None and target <= val <= hi
        except TypeError:
            return False
        return False

    def _range_candidates(
        self, filters: list[dict[str, Any]]
    ) -> tuple[list[int] | None, list[dict[str, Any]]]:
        """(ids from the modified-date index, filters still to check) for one AND group."""
        lo, hi = None, None  # inclusive bounds in ms
        rest: list[dict[str, Any]] = []
        used = False
        for f in filters:
            name, op = f["propertyName"], f["operator"]
            ok_name = name == "hs_lastmodifieddate" or (
                name == "lastmodifieddate" and self.plural == "contacts")
            v = parse_ms(f.get("value")) if ok_name else None
            if v is None or op not in ("GT", "GTE", "LT", "LTE", "EQ", "BETWEEN"):
                rest.append(f)
                continue
            if op in ("GT", "GTE", "EQ", "BETWEEN"):
                b = v + 1 if op == "GT" else v
                lo = b if lo is None else max(lo, b)
            if op in ("LT", "LTE", "EQ"):
                b = v - 1 if op == "LT" else v
                hi = b if hi is None else min(hi, b)
            if op == "BETWEEN":
                h = parse_ms(f.get("highValue"))
                if h is None:
                    rest.append(f)
                else:
                    hi = h if hi is None else min(hi, h)
            used = True
        if not used:
            return None, filters
        i, j = self._bounds(lo, hi)
        return [rid for _, rid in self.mod_index[i:j]], rest

    def _bounds(self, lo: int | None, hi: int | None) -> tuple[int, int]:
        i = bisect.bisect_left(self.mod_index, (lo, -1)) if lo is not None else 0
        j = (bisect.bisect_right(self.mod_index, (hi, float("inf")))
             if hi is not None else len(self.mod_index))
        return i, max(i, j)

    def search_page(self, groups: list[list[dict[str, Any]]], sorts: list[tuple[str, bool]],
                    query: str | None, after: int, limit: int) -> tuple[int, list[Rec]]:
        """(total, one page). Changed-since searches (one group of modified-date range
        filters, sorted by modified date or unsorted) are answered from the index alone."""
        self.settle()
        mods = ("hs_lastmodifieddate", self.mod_prop)
        if (len(groups) == 1 and groups[0] and not query
                and all(f["propertyName"] in mods and f["operator"] in ("GT", "GTE", "LT", "LTE")
                        and parse_ms(f.get("value")) is not None for f in groups[0])
                and len(sorts) == 1 and sorts[0][0] in mods):
            lo: int | None = None
            hi: int | None = None
            for f in groups[0]:
                v = parse_ms(f["value"])
                assert v is not None
                op = f["operator"]
                if op in ("GT", "GTE"):
                    b = v + 1 if op == "GT" else v
                    lo = b if lo is None else max(lo, b)
                else:
                    b = v - 1 if op == "LT" else v
                    hi = b if hi is None else min(hi, b)
            i, j = self._bounds(lo, hi)
            total = j - i
            if sorts[0][1]:
                rows = self.mod_index[max(i, j - after - limit):max(i, j - after)][::-1]
            else:
                rows = self.mod_index[i + after:min(j, i + after + limit)]
            return total, [self._shown(rid) for _, rid in rows]
        recs = self.search(groups, sorts, query)
        return len(recs), recs[after:after + limit]

    def _unique_candidates(self, filters: list[dict[str, Any]]) -> list[int] | None:
        for f in filters:
            name, op = f["propertyName"], f["operator"]
            if op not in ("EQ", "IN") or not (name in self.unique or name in (
                    "hs_object_id", "id")):
                continue
            vals = (f.get("values") or []) if op == "IN" else [f.get("value")]
            # The unique indexes follow writes at once; records search still shows in an
            # older version are candidates too, and are matched on what search shows.
            out = [rid for rid in self._unindexed if self._indexed(rid) is not None]
            for v in vals:
                r = self.find_by(name, str(v)) if v is not None else None
                if r and r.id not in out:
                    out.append(r.id)
            return [rid for rid in out if self._indexed(rid) is not None]
        return None

    def search(self, groups: list[list[dict[str, Any]]], sorts: list[tuple[str, bool]],
               query: str | None) -> list[Rec]:
        """All live records matching (OR of AND groups), sorted, as search has indexed them."""
        self.settle()
        in_mod_order = False
        if not groups:
            recs = [self._shown(rid) for _, rid in self.mod_index]
            in_mod_order = True
        else:
            matched: dict[int, Rec] = {}
            for g in groups:
                cands, rest = self._range_candidates(g)
                if cands is None:
                    cands = self._unique_candidates(g)
                    rest = g
                pool: Any = ((self._shown(rid) for rid in cands) if cands is not None
                             else self._all_shown())
                if not rest and len(groups) == 1 and cands is not None:
                    matched = {rid: self._shown(rid) for rid in cands or []}
                    in_mod_order = True
                    break
                for rec in pool:
                    if rec.id not in matched and all(self.match(rec, f) for f in rest):
                        matched[rec.id] = rec
                if len(groups) == 1 and cands is not None and rest is not g:
                    in_mod_order = True
            recs = list(matched.values())
        if query:
            q = query.lower()
            fields = ("email", "firstname", "lastname", "name", "domain", "dealname", "subject",
                      "phone", "company")
            recs = [r for r in recs if any(q in r.props.get(f, "").lower() for f in fields)]
        if not sorts:
            recs.sort(key=lambda r: r.id)
            return recs
        if in_mod_order and len(sorts) == 1 and sorts[0][0] in (
                self.mod_prop, "hs_lastmodifieddate"):
            if sorts[0][1]:
                recs.reverse()
            return recs
        for name, desc in reversed(sorts):
            recs.sort(key=partial(self._sort_value, name), reverse=desc)
        return recs


def _sort_key(v: Any) -> tuple[int, Any]:
    if v is None:
        return (1, 0)
    if isinstance(v, str):
        return (0, v)
    return (0, float(v))


@dataclass
class Portal:
    """The whole in-memory HubSpot account."""

    hub_id: int = 4_815_162
    lock: threading.RLock = field(default_factory=threading.RLock)
    stores: dict[str, ObjectStore] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    search_delay_ms: int = 0  # how long a write takes to become searchable (module docstring)

    def __post_init__(self) -> None:
        self._ids = itertools.count(1001)
        for plural, tid, singular, label in OBJECT_TYPES:
            st = ObjectStore(plural, tid, singular, label, self._ids)
            self.stores[plural] = st
            for a in (plural, tid, singular):
                self.aliases[a] = plural
        self.aliases["project"] = "p_projects"
        self.aliases["projects"] = "p_projects"

    def store(self, name: str) -> ObjectStore | None:
        key = self.aliases.get(name) or self.aliases.get(name.lower())
        st = self.stores.get(key) if key else None
        if st is not None:  # custom object stores (hs_schemas) are made after it was set
            st.index_delay_ms = self.search_delay_ms
        return st

    def next_id(self) -> int:
        return next(self._ids)


__all__ = ["DEAL_STAGES", "DEFAULT_PROPS", "EMAIL_RE", "LEAD_STATUS", "LIFECYCLE",
           "OBJECT_TYPES", "ObjectStore", "Portal", "Prop", "PropError", "Rec",
           "default_properties", "iso", "now_ms", "parse_ms"]
