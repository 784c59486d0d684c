"""Association types, lists filters, owners and events of the HubSpot emulator (no HTTP)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from connectors.sandbox.hs_store import ObjectStore, Rec, iso, now_ms

# (from, to, typeId, inverse typeId, label) -- HUBSPOT_DEFINED type ids as documented.
_PAIRS: list[tuple[str, str, int, int, str | None]] = [
    ("contacts", "companies", 279, 280, None),
    ("contacts", "companies", 1, 2, "Primary"),
    ("deals", "contacts", 3, 4, None),
    ("deals", "companies", 341, 342, None),
    ("deals", "companies", 5, 6, "Primary"),
    ("tickets", "contacts", 16, 15, None),
    ("tickets", "companies", 339, 340, None),
    ("tickets", "companies", 26, 25, "Primary"),
    ("tickets", "deals", 28, 27, None),
    ("notes", "contacts", 202, 201, None), ("notes", "companies", 190, 189, None),
    ("notes", "deals", 214, 213, None), ("notes", "tickets", 228, 227, None),
    ("tasks", "contacts", 204, 203, None), ("tasks", "companies", 192, 191, None),
    ("tasks", "deals", 216, 215, None), ("tasks", "tickets", 230, 229, None),
    ("calls", "contacts", 194, 193, None), ("calls", "companies", 182, 181, None),
    ("calls", "deals", 206, 205, None), ("calls", "tickets", 220, 219, None),
    ("emails", "contacts", 198, 197, None), ("emails", "companies", 186, 185, None),
    ("emails", "deals", 210, 209, None), ("emails", "tickets", 224, 223, None),
    ("meetings", "contacts", 200, 199, None), ("meetings", "companies", 188, 187, None),
    ("meetings", "deals", 212, 211, None), ("meetings", "tickets", 226, 225, None),
    ("p_projects", "contacts", 1001, 1002, None),
    ("p_projects", "companies", 1003, 1004, None),
    ("p_projects", "deals", 1005, 1006, None),
]


@dataclass(frozen=True)
class AssocType:
    type_id: int
    label: str | None
    inverse: int
    default: bool


def _build() -> dict[tuple[str, str], dict[int, AssocType]]:
    table: dict[tuple[str, str], dict[int, AssocType]] = {}
    for a, b, t, inv, label in _PAIRS:
        table.setdefault((a, b), {})[t] = AssocType(t, label, inv, label is None)
        table.setdefault((b, a), {})[inv] = AssocType(inv, label, t, label is None)
    return table


ASSOC_TYPES = _build()
BUILT_IN = {k: dict(v) for k, v in ASSOC_TYPES.items()}
# Custom object schemas define their association types when created: ids are portal-made
# (FIRST_CUSTOM_ASSOC and up), HUBSPOT_DEFINED ones stay below.
FIRST_CUSTOM_ASSOC = 2000


def add_custom_pair(a: str, b: str) -> int:
    """The default (unlabeled) association type of a new custom object `a` to `b`."""
    used = [t for types in ASSOC_TYPES.values() for t in types if t >= FIRST_CUSTOM_ASSOC]
    t = max(used, default=FIRST_CUSTOM_ASSOC - 1) + 1
    ASSOC_TYPES.setdefault((a, b), {})[t] = AssocType(t, None, t + 1, True)
    ASSOC_TYPES.setdefault((b, a), {})[t + 1] = AssocType(t + 1, None, t, True)
    return t


def reset_custom_pairs() -> None:
    ASSOC_TYPES.clear()
    ASSOC_TYPES.update({k: dict(v) for k, v in BUILT_IN.items()})


def default_type(a: str, b: str) -> AssocType | None:
    for t in ASSOC_TYPES.get((a, b), {}).values():
        if t.default:
            return t
    return None


def type_name(a: ObjectStore, b: ObjectStore, t: AssocType) -> str:
    base = f"{a.singular}_to_{b.singular}"
    has_primary = any(x.label for x in ASSOC_TYPES.get((a.plural, b.plural), {}).values())
    return base + ("_unlabeled" if has_primary and t.default else "")


@dataclass
class Associations:
    # (from plural, to plural) -> from id -> to id -> set of type ids
    links: dict[tuple[str, str], dict[int, dict[int, set[int]]]] = field(default_factory=dict)
    # Told of every change (from, from id, to, to id, touch): the app keeps properties that
    # mirror associations (a contact's associatedcompanyid) up to date.
    on_change: Callable[[str, int, str, int, bool], None] | None = None

    def _changed(self, a: str, aid: int, b: str, bid: int, touch: bool = True) -> None:
        if self.on_change is not None:
            self.on_change(a, aid, b, bid, touch)

    def add(self, a: str, aid: int, b: str, bid: int, t: AssocType) -> None:
        self.links.setdefault((a, b), {}).setdefault(aid, {}).setdefault(bid, set()).add(
            t.type_id)
        self.links.setdefault((b, a), {}).setdefault(bid, {}).setdefault(aid, set()).add(
            t.inverse)
        self._changed(a, aid, b, bid)

    def add_many(self, a: str, b: str, pairs: list[tuple[int, int]], t: AssocType) -> None:
        """`add` for many (from id, to id) pairs of one type (bulk loads)."""
        fwd = self.links.setdefault((a, b), {})
        rev = self.links.setdefault((b, a), {})
        tid, inv = t.type_id, t.inverse
        for aid, bid in pairs:
            m = fwd.get(aid)
            if m is None:
                m = fwd[aid] = {}
            s = m.get(bid)
            if s is None:
                m[bid] = {tid}
            else:
                s.add(tid)
            m = rev.get(bid)
            if m is None:
                m = rev[bid] = {}
            s = m.get(aid)
            if s is None:
                m[aid] = {inv}
            else:
                s.add(inv)
        for aid, bid in pairs:  # bulk loads keep their seeded timestamps
            self._changed(a, aid, b, bid, touch=False)

    def remove(self, a: str, aid: int, b: str, bid: int, type_ids: set[int] | None = None) -> None:
        fwd = self.links.get((a, b), {}).get(aid, {})
        rev = self.links.get((b, a), {}).get(bid, {})
        types = ASSOC_TYPES.get((a, b), {})
        if type_ids is None:
            fwd.pop(bid, None)
            rev.pop(aid, None)
            self._changed(a, aid, b, bid)
            return
        for t in type_ids:
            fwd.get(bid, set()).discard(t)
            if t in types:
                rev.get(aid, set()).discard(types[t].inverse)
        if not fwd.get(bid):
            fwd.pop(bid, None)
        if not rev.get(aid):
            rev.pop(aid, None)
        self._changed(a, aid, b, bid)

    def of(self, a: str, aid: int, b: str) -> dict[int, set[int]]:
        return self.links.get((a, b), {}).get(aid, {})

    def drop_record(self, a: str, aid: int) -> None:
        for (x, y), m in self.links.items():
            if x == a:
                others = list(m.get(aid, {}))
                for bid in others:
                    self.links.get((y, x), {}).get(bid, {}).pop(aid, None)
                m.pop(aid, None)
                for bid in others:
                    self._changed(x, aid, y, bid)


# ---- lists ---------------------------------------------------------------------------------


@dataclass
class HsList:
    list_id: int
    name: str
    object_type_id: str
    processing_type: str  # MANUAL | DYNAMIC | SNAPSHOT
    filter_branch: dict[str, Any] | None
    created: int = field(default_factory=now_ms)
    updated: int = field(default_factory=now_ms)
    members: dict[int, int] = field(default_factory=dict)  # record id -> join ms
    deleted: bool = False
    version: int = 1

    def to_api(self, size: int, include_filters: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "listId": str(self.list_id),
            "listVersion": self.version,
            "name": self.name,
            "objectTypeId": self.object_type_id,
            "processingType": self.processing_type,
            "processingStatus": "COMPLETE",
            "createdAt": iso(self.created),
            "updatedAt": iso(self.updated),
            "filtersUpdatedAt": iso(self.updated),
            "createdById": "1",
            "updatedById": "1",
            "size": size,
        }
        if include_filters and self.filter_branch is not None:
            out["filterBranch"] = self.filter_branch
        return out


def _prop_filter_ok(rec: Rec, f: dict[str, Any]) -> bool:
    if f.get("filterType", "PROPERTY") != "PROPERTY":
        return False
    v = rec.props.get(f.get("property", ""))
    op = f.get("operation") or {}
    operator = op.get("operator", "IS_EQUAL_TO")
    low = v.lower() if v is not None else None
    vals = [str(x).lower() for x in (op.get("values") or [])]
    if "value" in op and op["value"] is not None:
        vals.append(str(op["value"]).lower())
    if operator == "IS_KNOWN":
        return v is not None
    if operator == "IS_UNKNOWN":
        return v is None
    if operator in ("IS_EQUAL_TO", "IS_ANY_OF", "IS"):
        return low is not None and low in vals
    if operator in ("IS_NOT_EQUAL_TO", "IS_NONE_OF", "IS_NOT"):
        return low is None or low not in vals
    if operator in ("CONTAINS", "CONTAINS_ANY_OF"):
        return low is not None and any(x in low for x in vals)
    if operator in ("DOES_NOT_CONTAIN",):
        return low is None or not any(x in low for x in vals)
    if operator == "STARTS_WITH":
        return low is not None and any(low.startswith(x) for x in vals)
    return False


def branch_matches(rec: Rec, branch: dict[str, Any]) -> bool:
    kind = branch.get("filterBranchType", "AND")
    results = [_prop_filter_ok(rec, f) for f in branch.get("filters") or []]
    results += [branch_matches(rec, b) for b in branch.get("filterBranches") or []]
    if not results:
        return kind == "AND"
    return any(results) if kind == "OR" else all(results)


def validate_branch(branch: Any, store: ObjectStore) -> str | None:
    if not isinstance(branch, dict) or branch.get("filterBranchType") not in ("OR", "AND"):
        return "filterBranch must be an OR or AND filter branch"
    for f in branch.get("filters") or []:
        if f.get("filterType") != "PROPERTY":
            return f"Unsupported filterType {f.get('filterType')!r} (emulator: PROPERTY only)"
        if f.get("property") not in store.props:
            return f"Property {f.get('property')!r} does not exist"
    for b in branch.get("filterBranches") or []:
        err = validate_branch(b, store)
        if err:
            return err
    return None


# ---- owners and events ---------------------------------------------------------------------

OWNERS: list[dict[str, Any]] = [
    {"id": "101", "email": "ada.owner@example.com", "firstName": "Ada", "lastName": "Owner",
     "userId": 9001},
    {"id": "102", "email": "bruno.sales@example.com", "firstName": "Bruno", "lastName": "Sales",
     "userId": 9002},
    {"id": "103", "email": "carla.support@example.com", "firstName": "Carla",
     "lastName": "Support", "userId": 9003},
]

EVENT_TYPES = [
    "e_marketing_email_delivered",
    "e_marketing_email_open",
    "e_marketing_email_click",
    "e_form_submission",
]


def owner_api(o: dict[str, Any], at: int) -> dict[str, Any]:
    return {**o, "userIdIncludingInactive": o["userId"], "type": "PERSON", "teams": [],
            "createdAt": iso(at), "updatedAt": iso(at), "archived": False}
