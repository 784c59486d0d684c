"""Default value mappings: deal stage ⇄ opportunity stage, ticket status ⇄ case status,
ticket priority ⇄ case priority (FEATURES E1).

`default_value_mappings` is pure (no I/O): it pairs a Salesforce picklist with HubSpot
pipelines. `ensure_value_mappings` saves those defaults for an account that has no rows yet;
the sync engine calls it with the data it reads, the object tabs with the cached catalogue.

Rows are pairs and either side may repeat (ValueMapping). Every Salesforce value and every
HubSpot stage of a pipeline appears in at least one row, so that both directions have an
answer; the first row of a HubSpot stage is its best match (HubSpot → Salesforce uses it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ValueMap:
    """One HubSpot property whose values are mapped onto a Salesforce picklist."""

    object: str  # registry key: "deals"
    hs_property: str  # "dealstage"
    sf_field: str  # "StageName" (on the object's Salesforce object)
    title: str | Promise
    per_pipeline: bool = True  # stages of a pipeline; False: the property's options

    @property
    def key(self) -> tuple[str, str]:
        return (self.object, self.hs_property)


VALUE_MAPS: tuple[ValueMap, ...] = (
    ValueMap("deals", "dealstage", "StageName", _("Deal stage ⇄ Opportunity stage")),
    ValueMap("tickets", "hs_pipeline_stage", "Status", _("Ticket status ⇄ Case status")),
    ValueMap("tickets", "hs_ticket_priority", "Priority", _("Priority ⇄ Case priority"),
             per_pipeline=False),
)

# HubSpot's ticket priority options (internal value, label); they are fixed by HubSpot.
HS_PRIORITIES: list[tuple[str, str]] = [
    ("LOW", "Low"), ("MEDIUM", "Medium"), ("HIGH", "High"), ("URGENT", "Urgent"),
]
_PRIORITY_TO_SF = {"LOW": "low", "MEDIUM": "medium", "HIGH": "high", "URGENT": "high"}


def value_maps_for(object_key: str) -> list[ValueMap]:
    return [v for v in VALUE_MAPS if v.object == object_key]


def options_pipeline(options: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """A property's options as the one pseudo-pipeline "" (priority has no pipelines)."""
    return {"id": "", "label": "", "stages": [{"id": v, "label": lbl, "metadata": {}}
                                              for v, lbl in options]}


def _fold(text: Any) -> str:
    return " ".join(str(text or "").split()).casefold()


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in ("true", "1", "yes")


def _probability(stage: Mapping[str, Any]) -> float | None:
    try:
        return float((stage.get("metadata") or {}).get("probability", ""))
    except (TypeError, ValueError):
        return None


def _deal_outcome(stage: Mapping[str, Any]) -> str | None:
    """"won", "lost" or None (open) for a HubSpot deal stage."""
    sid = str(stage.get("id", "")).lower()
    if sid in ("closedwon", "closedlost"):
        return sid[len("closed"):]
    meta = stage.get("metadata") or {}
    if _truthy(meta.get("isClosed")):
        prob = _probability(stage)
        return "won" if prob is not None and prob >= 1 else "lost"
    return None


def _ticket_closed(stage: Mapping[str, Any]) -> bool:
    return str((stage.get("metadata") or {}).get("ticketState", "")).upper() == "CLOSED"


def _find(sf_values: Sequence[tuple[str, str]], *names: str) -> str | None:
    wanted = {_fold(n) for n in names}
    for value, label in sf_values:
        if _fold(value) in wanted or _fold(label) in wanted:
            return value
    return None


def _spread(count: int, total: int, i: int) -> int:
    """Index `i` of `count` items placed proportionally onto `total` slots."""
    return min(total - 1, (i * total) // count)


def _pipeline_pairs(object_key: str, hs_property: str, sf_values: Sequence[tuple[str, str]],
                    stages: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """(hs stage id, sf value) pairs for one pipeline, best match of each stage first."""
    ids = [str(s.get("id", "")) for s in stages]
    sf_ids = [v for v, _label in sf_values]
    pairs: list[tuple[str, str]] = []

    def add(hs: str, sf: str) -> None:
        if (hs, sf) not in pairs:
            pairs.append((hs, sf))

    closed: set[str] = set()  # HubSpot stages matched by their meaning, not by position
    closed_sf: set[str] = set()
    for stage, sid in zip(stages, ids, strict=True):
        target: str | None = None
        if object_key == "deals" and hs_property == "dealstage":
            outcome = _deal_outcome(stage)
            if outcome:
                target = _find(sf_values, f"Closed {outcome}", f"Closed{outcome}")
                closed.add(sid)
        elif object_key == "tickets" and hs_property == "hs_pipeline_stage":
            if _ticket_closed(stage):
                target = _find(sf_values, "Closed")
                closed.add(sid)
        elif hs_property == "hs_ticket_priority" and sid.upper() in _PRIORITY_TO_SF:
            target = _find(sf_values, _PRIORITY_TO_SF[sid.upper()])
        if target is None:
            target = _find(sf_values, str(stage.get("label", "")), sid)
        if target is not None:
            add(sid, target)
            if sid in closed:
                closed_sf.add(target)
    if not ids:
        return pairs
    # Open stages and open values, in order, are spread over each other proportionally.
    open_hs = [s for s in ids if s not in closed]
    open_sf = [v for v in sf_ids if v not in closed_sf]
    if open_hs and open_sf:
        mapped_sf = {s for _h, s in pairs}
        for i, sf in enumerate(open_sf):
            if sf not in mapped_sf:
                add(open_hs[_spread(len(open_sf), len(open_hs), i)], sf)
        mapped_hs = {h for h, _s in pairs}
        for j, hs in enumerate(open_hs):
            if hs not in mapped_hs:
                add(hs, open_sf[_spread(len(open_hs), len(open_sf), j)])
    # Whatever is still alone: every value and every stage appears at least once.
    mapped_hs = {h for h, _s in pairs}
    mapped_sf = {s for _h, s in pairs}
    for i, sf in enumerate(sf_ids):
        if sf not in mapped_sf:
            add(ids[_spread(len(sf_ids), len(ids), i)], sf)
    for j, hs in enumerate(ids):
        if hs not in mapped_hs:
            add(hs, sf_ids[_spread(len(ids), len(sf_ids), j)] if sf_ids else "")
    # Group by stage in pipeline order, keeping each stage's first (best) pair first.
    order = {sid: n for n, sid in enumerate(ids)}
    return sorted(pairs, key=lambda p: order[p[0]])


def default_value_mappings(object_key: str, hs_property: str,
                           sf_values: list[tuple[str, str]],
                           hs_pipelines: list[dict]) -> list[dict]:
    """The default rows for one mapped property: dicts with pipeline, hs_value, hs_label and
    sf_value, in the order they should be saved (ValueMapping uses the first row by id).

    `sf_values` is the Salesforce picklist as (value, label) in picklist order;
    `hs_pipelines` are HubSpot pipelines as {"id", "label", "stages": [{"id", "label",
    "metadata"}]} (for a property without pipelines, one pipeline with id "" whose stages are
    the property's options: see `options_pipeline`).

    Labels match case-insensitively. Deal stages: closed won ⇄ "Closed Won" and closed lost ⇄
    "Closed Lost" (by metadata isClosed/probability, or by id). Ticket statuses: ticketState
    CLOSED ⇄ "Closed". Priority: LOW ⇄ Low, MEDIUM ⇄ Medium, HIGH and URGENT ⇄ High. The
    remaining open stages and values are spread over each other in order, proportionally.
    """
    rows: list[dict] = []
    seen: set[tuple[str, str, str]] = set()
    for pipeline in hs_pipelines:
        pid = str(pipeline.get("id", ""))
        stages = [s for s in pipeline.get("stages") or [] if str(s.get("id", ""))]
        labels = {str(s["id"]): str(s.get("label") or s["id"]) for s in stages}
        for hs, sf in _pipeline_pairs(object_key, hs_property, sf_values, stages):
            if (pid, hs, sf) in seen:
                continue
            seen.add((pid, hs, sf))
            rows.append({"pipeline": pid, "hs_value": hs, "hs_label": labels.get(hs, hs),
                         "sf_value": sf})
    return rows


def hs_pipelines_for(vm: ValueMap, hs_pipelines_by_object: Mapping[str, list[dict]]
                     ) -> list[dict] | None:
    """The pipelines (or the options pseudo-pipeline) a value map is defined over."""
    if not vm.per_pipeline:
        return [options_pipeline(HS_PRIORITIES)] if vm.hs_property == "hs_ticket_priority" \
            else None
    return hs_pipelines_by_object.get(vm.object)


def ensure_value_mappings(account: Any,
                          sf_values_by_key: Mapping[tuple[str, str], list[tuple[str, str]]],
                          hs_pipelines_by_object: Mapping[str, list[dict]]) -> int:
    """Saves the default rows of every value map the account has no rows for; returns how
    many rows were created.

    `sf_values_by_key`: {(object key, HubSpot property): Salesforce picklist as (value,
    label)}, e.g. {("deals", "dealstage"): [("Prospecting", "Prospecting"), …]}.
    `hs_pipelines_by_object`: {object key: HubSpot pipelines}, e.g. {"deals": [...]}.
    A value map whose data is missing from either argument is skipped. A pipeline that has
    no rows yet (added in HubSpot since) gets its defaults; one with rows is never touched.
    Defaults are not an admin's change: they are written without audit entries.
    """
    from syncadmin.integration.models import ValueMapping

    wanted = [vm for vm in VALUE_MAPS if vm.key in sf_values_by_key
              and hs_pipelines_for(vm, hs_pipelines_by_object) is not None]
    if not wanted:
        return 0
    have = set(ValueMapping.objects.filter(
        account=account, object__in={vm.object for vm in wanted},
    ).order_by().values_list("object", "hs_property", "pipeline").distinct())
    new: list[ValueMapping] = []
    for vm in wanted:
        pipelines = [p for p in hs_pipelines_for(vm, hs_pipelines_by_object) or []
                     if (vm.object, vm.hs_property, str(p.get("id", ""))) not in have]
        if not pipelines:
            continue
        for row in default_value_mappings(vm.object, vm.hs_property,
                                          list(sf_values_by_key[vm.key]), pipelines):
            new.append(ValueMapping(account=account, object=vm.object,
                                    hs_property=vm.hs_property, **row))
    if not new:
        return 0
    # One statement; a concurrent first visit or sync may have saved the same rows.
    return len(ValueMapping.objects.bulk_create(new, ignore_conflicts=True))
