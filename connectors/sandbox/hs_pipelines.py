"""Pipelines of the HubSpot emulator and the stage rules deals and tickets obey.

API (wired into `connectors.sandbox.hubspot` by a few lines; `{type}` is deals or tickets, by
plural, singular or objectTypeId):
    GET   /crm/v3/pipelines/{type}                          all pipelines with their stages
    GET   /crm/v3/pipelines/{type}/{pipelineId}             one pipeline
    GET   /crm/v3/pipelines/{type}/{pipelineId}/stages      its stages
Control API:
    POST  /__sandbox/pipelines/{type}   {"id", "label", "displayOrder", "stages": [{"id",
                                        "label", "displayOrder", "metadata"}]} adds (or
                                        replaces) a pipeline; the enumeration options of
                                        pipeline/dealstage (hs_pipeline/hs_pipeline_stage)
                                        follow, as in HubSpot where they list every pipeline.

Defaults are HubSpot's for a new portal: deals pipeline "default" ("Sales Pipeline") with the
seven stages and their probabilities, tickets pipeline "0" ("Support Pipeline") with stages
"1".."4". Stage metadata values are strings, as HubSpot sends them (the SDK types the map
`dict[str, str]`).

Write rules (checked on every create/update/upsert, single or batch):
* a deal's dealstage must belong to its pipeline (the one written, else the record's, else
  "default", which HubSpot assumes when none is given; a created deal with a stage and no
  pipeline gets pipeline "default");
* a ticket must carry hs_pipeline and hs_pipeline_stage, and the stage must belong to the
  pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from connectors.sandbox.hs_store import ObjectStore, Portal, PropError, Rec, iso, now_ms

if TYPE_CHECKING:
    from werkzeug.wrappers import Request, Response

# object plural -> (pipeline property, stage property)
PIPELINE_PROPS = {"deals": ("pipeline", "dealstage"), "tickets": ("hs_pipeline",
                                                                  "hs_pipeline_stage")}


@dataclass
class Stage:
    id: str
    label: str
    display_order: int
    metadata: dict[str, str]
    created: int = field(default_factory=now_ms)

    def to_api(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "displayOrder": self.display_order,
                "metadata": dict(self.metadata), "createdAt": iso(self.created),
                "updatedAt": iso(self.created), "archived": False,
                "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT"}


@dataclass
class Pipeline:
    id: str
    label: str
    display_order: int
    stages: list[Stage]
    created: int = field(default_factory=now_ms)

    def stage(self, sid: str) -> Stage | None:
        return next((s for s in self.stages if s.id == sid), None)

    def to_api(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "displayOrder": self.display_order,
                "stages": [s.to_api() for s in self.stages], "createdAt": iso(self.created),
                "updatedAt": iso(self.created), "archived": False}


def _deal_stage(i: int, sid: str, label: str, prob: str, closed: bool) -> Stage:
    return Stage(sid, label, i, {"isClosed": "true" if closed else "false",
                                 "probability": prob})


def default_pipelines() -> dict[str, list[Pipeline]]:
    deals = Pipeline("default", "Sales Pipeline", 0, [
        _deal_stage(0, "appointmentscheduled", "Appointment Scheduled", "0.2", False),
        _deal_stage(1, "qualifiedtobuy", "Qualified To Buy", "0.4", False),
        _deal_stage(2, "presentationscheduled", "Presentation Scheduled", "0.6", False),
        _deal_stage(3, "decisionmakerboughtin", "Decision Maker Bought-In", "0.8", False),
        _deal_stage(4, "contractsent", "Contract Sent", "0.9", False),
        _deal_stage(5, "closedwon", "Closed Won", "1.0", True),
        _deal_stage(6, "closedlost", "Closed Lost", "0.0", True),
    ])
    tickets = Pipeline("0", "Support Pipeline", 0, [
        Stage("1", "New", 0, {"ticketState": "OPEN"}),
        Stage("2", "Waiting on contact", 1, {"ticketState": "OPEN"}),
        Stage("3", "Waiting on us", 2, {"ticketState": "OPEN"}),
        Stage("4", "Closed", 3, {"ticketState": "CLOSED"}),
    ])
    return {"deals": [deals], "tickets": [tickets]}


class Pipelines:
    """Pipelines per object type (plural name). The caller holds the portal lock."""

    def __init__(self) -> None:
        self.by_type = default_pipelines()

    def all(self, plural: str) -> list[Pipeline]:
        return sorted(self.by_type.get(plural, []), key=lambda p: (p.display_order, p.label))

    def get(self, plural: str, pid: str) -> Pipeline | None:
        return next((p for p in self.by_type.get(plural, []) if p.id == pid), None)

    def add(self, portal: Portal, plural: str, body: dict[str, Any]) -> Pipeline:
        if plural not in PIPELINE_PROPS:
            raise ValueError(f"{plural} have no pipelines")
        pid = str(body.get("id") or body.get("pipelineId") or now_ms())
        stages = [Stage(str(s.get("id") or s.get("stageId") or f"{pid}-{i}"),
                        str(s.get("label") or f"Stage {i}"), int(s.get("displayOrder", i)),
                        {k: str(v).lower() if isinstance(v, bool) else str(v)
                         for k, v in (s.get("metadata") or {}).items()})
                  for i, s in enumerate(body.get("stages") or [])]
        if not stages:
            raise ValueError("a pipeline needs at least one stage")
        pipe = Pipeline(pid, str(body.get("label") or pid), int(body.get("displayOrder", 0)),
                        stages)
        self.by_type[plural] = [p for p in self.by_type.get(plural, []) if p.id != pid] + [pipe]
        self.apply_options(portal)
        return pipe

    def apply_options(self, portal: Portal) -> None:
        """Make the pipeline/stage enumeration properties list every pipeline and stage."""
        for plural, (pprop, sprop) in PIPELINE_PROPS.items():
            st = portal.stores[plural]
            pipes = self.all(plural)
            st.props[pprop].options = [p.id for p in pipes]
            st.props[sprop].options = list(dict.fromkeys(s.id for p in pipes for s in p.stages))

    def check(self, st: ObjectStore, clean: dict[str, str], own: Rec | None
              ) -> tuple[list[PropError], list[str]]:
        """(stage errors, missing required properties) for a write of `clean` to `own`
        (None: a create). May add pipeline=default to a created deal, as HubSpot does."""
        if st.plural not in PIPELINE_PROPS:
            return [], []
        pprop, sprop = PIPELINE_PROPS[st.plural]
        if own is not None and pprop not in clean and sprop not in clean:
            return [], []
        old = own.props if own is not None else {}
        pipe_id = clean[pprop] if pprop in clean else old.get(pprop, "")
        stage_id = clean[sprop] if sprop in clean else old.get(sprop, "")
        if st.plural == "tickets":
            # HubSpot: 400 "Cannot create object with type: TICKET. The following required
            # properties were missing: [...]" (reported in
            # https://github.com/HubSpot/hubspot-api-php/issues/139 and
            # https://github.com/HubSpot/hubspot-php/issues/380). The wording for an update
            # that clears them is not documented; the emulator reuses it.
            missing = [n for n, v in ((pprop, pipe_id), (sprop, stage_id)) if not v]
            if missing:
                return [], missing
        elif not pipe_id:
            if not stage_id:
                return [], []
            pipe_id = "default"
            if own is None:
                clean[pprop] = pipe_id
        pipe = self.get(st.plural, pipe_id)
        if pipe is None or pipe.stage(stage_id) is not None or not stage_id:
            return [], []  # unknown pipeline ids are INVALID_OPTION from property validation
        # A stage of another pipeline. HubSpot answers 400 VALIDATION_ERROR with an
        # INVALID_OPTION property error; its exact wording for this case is not documented
        # (unsure), so the emulator lists the stages of the record's pipeline.
        allowed = ", ".join(s.id for s in pipe.stages)
        return [PropError("INVALID_OPTION", sprop,
                          f"{stage_id} was not one of the allowed options: [{allowed}]")], []


def missing_message(st: ObjectStore, missing: list[str]) -> str:
    return (f"Cannot create object with type: {st.singular.upper()}. The following required "
            f"properties were missing: [{', '.join(missing)}]")


# ---- HTTP handlers (methods of HubSpotEmulator; `app` is the emulator) ---------------------


def _pipeline_type(app: Any, otype: str) -> str:
    from connectors.sandbox.hubspot import err

    st = app.portal.store(otype)
    if st is None or st.plural not in PIPELINE_PROPS:
        # HubSpot's wording for object types without pipelines is not documented (unsure).
        raise err(400, "VALIDATION_ERROR", f"Unable to infer object type from: {otype}")
    return str(st.plural)


def _pipeline(app: Any, otype: str, pipeline_id: str) -> Pipeline:
    from connectors.sandbox.hubspot import err

    plural = _pipeline_type(app, otype)
    pipe: Pipeline | None = app.pipelines.get(plural, pipeline_id)
    if pipe is None:
        # 404 OBJECT_NOT_FOUND as for any missing CRM object; exact wording unsure.
        raise err(404, "OBJECT_NOT_FOUND", f"Unable to find pipeline {pipeline_id}")
    return pipe


def pipelines_list(app: Any, req: Request, otype: str) -> Response:
    with app.lock:
        plural = _pipeline_type(app, otype)
        return app.json({"results": [p.to_api() for p in app.pipelines.all(plural)]})


def pipelines_get(app: Any, req: Request, otype: str, pipeline_id: str) -> Response:
    with app.lock:
        return app.json(_pipeline(app, otype, pipeline_id).to_api())


def pipelines_stages(app: Any, req: Request, otype: str, pipeline_id: str) -> Response:
    with app.lock:
        return app.json({"results": [s.to_api()
                                     for s in _pipeline(app, otype, pipeline_id).stages]})


def ctl_pipelines(app: Any, req: Request, otype: str) -> Response:
    from connectors.sandbox.hubspot import err

    body = app._body(req)
    with app.lock:
        plural = _pipeline_type(app, otype)
        try:
            pipe = app.pipelines.add(app.portal, plural, body)
        except ValueError as e:
            raise err(400, "VALIDATION_ERROR", str(e)) from e
        return app.json(pipe.to_api())


def rules() -> list[Any]:
    from werkzeug.routing import Rule

    return [
        Rule("/crm/v3/pipelines/<otype>", methods=["GET"], endpoint="pipelines_list"),
        Rule("/crm/v3/pipelines/<otype>/<pipeline_id>", methods=["GET"],
             endpoint="pipelines_get"),
        Rule("/crm/v3/pipelines/<otype>/<pipeline_id>/stages", methods=["GET"],
             endpoint="pipelines_stages"),
        Rule("/__sandbox/pipelines/<otype>", methods=["POST"], endpoint="ctl_pipelines"),
    ]
