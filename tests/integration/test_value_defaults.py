"""Default value mappings (deal stage, ticket status, priority): the pure function and the
saving of defaults."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syncadmin.integration import catalogue
from syncadmin.integration.value_defaults import (
    HS_PRIORITIES,
    default_value_mappings,
    ensure_value_mappings,
    options_pipeline,
)

SF_STAGES = catalogue.BUILTIN_PICKLISTS[("Opportunity", "StageName")]
SF_STATUS = catalogue.BUILTIN_PICKLISTS[("Case", "Status")]
SF_PRIORITY = catalogue.BUILTIN_PICKLISTS[("Case", "Priority")]
DEALS = catalogue.BUILTIN_PIPELINES["deals"]
TICKETS = catalogue.BUILTIN_PIPELINES["tickets"]


def _pairs(rows):
    return [(r["hs_value"], r["sf_value"]) for r in rows]


def _first(rows, hs_value):
    return next(r["sf_value"] for r in rows if r["hs_value"] == hs_value)


def test_deal_stages_map_closed_won_and_lost_and_spread_the_open_ones_in_order():
    rows = default_value_mappings("deals", "dealstage", SF_STAGES, DEALS)
    assert _first(rows, "closedwon") == "Closed Won"
    assert _first(rows, "closedlost") == "Closed Lost"
    assert _pairs(rows) == [
        ("appointmentscheduled", "Prospecting"), ("appointmentscheduled", "Qualification"),
        ("qualifiedtobuy", "Needs Analysis"), ("qualifiedtobuy", "Value Proposition"),
        ("presentationscheduled", "Id. Decision Makers"),
        ("decisionmakerboughtin", "Perception Analysis"),
        ("decisionmakerboughtin", "Proposal/Price Quote"),
        ("contractsent", "Negotiation/Review"),
        ("closedwon", "Closed Won"), ("closedlost", "Closed Lost"),
    ]
    assert {r["pipeline"] for r in rows} == {"default"}
    assert rows[0]["hs_label"] == "Appointment Scheduled"


def test_closed_deal_stages_are_found_by_metadata_when_their_ids_are_custom():
    pipeline = {"id": "p2", "label": "Renewals", "stages": [
        {"id": "s1", "label": "Open", "metadata": {"isClosed": "false", "probability": "0.5"}},
        {"id": "s2", "label": "Renewed", "metadata": {"isClosed": "true", "probability": "1.0"}},
        {"id": "s3", "label": "Churned", "metadata": {"isClosed": "true", "probability": "0.0"}},
    ]}
    rows = default_value_mappings("deals", "dealstage", SF_STAGES, [pipeline])
    assert _first(rows, "s2") == "Closed Won" and _first(rows, "s3") == "Closed Lost"
    # The eight open Salesforce stages all land on the one open HubSpot stage.
    assert [sf for hs, sf in _pairs(rows) if hs == "s1"] == [v for v, _l in SF_STAGES[:8]]


def test_labels_match_case_insensitively_before_anything_else():
    pipeline = {"id": "p", "label": "P", "stages": [
        {"id": "a", "label": "NEGOTIATION/review", "metadata": {}},
        {"id": "b", "label": "Something else", "metadata": {}},
    ]}
    rows = default_value_mappings("deals", "dealstage", SF_STAGES, [pipeline])
    assert _first(rows, "a") == "Negotiation/Review"


def test_ticket_status_maps_closed_and_the_open_ones_in_order():
    rows = default_value_mappings("tickets", "hs_pipeline_stage", SF_STATUS, TICKETS)
    assert _pairs(rows) == [("1", "New"), ("2", "Working"), ("3", "Escalated"),
                            ("4", "Closed")]
    assert {r["pipeline"] for r in rows} == {"0"}


def test_priority_maps_urgent_onto_high():
    rows = default_value_mappings("tickets", "hs_ticket_priority", SF_PRIORITY,
                                  [options_pipeline(HS_PRIORITIES)])
    assert _pairs(rows) == [("LOW", "Low"), ("MEDIUM", "Medium"), ("HIGH", "High"),
                            ("URGENT", "High")]
    assert {r["pipeline"] for r in rows} == {""}


def test_no_salesforce_values_leaves_every_stage_not_mapped():
    rows = default_value_mappings("deals", "dealstage", [], DEALS)
    assert {r["sf_value"] for r in rows} == {""}
    assert len(rows) == len(DEALS[0]["stages"])


def test_a_pipeline_without_stages_gives_no_rows():
    assert default_value_mappings("deals", "dealstage", SF_STAGES,
                                  [{"id": "x", "label": "X", "stages": []}]) == []


_names = st.text(alphabet="abcdefgh XYZ", min_size=1, max_size=8)
_stage = st.fixed_dictionaries({
    "id": st.text(alphabet="abc123", min_size=1, max_size=5),
    "label": _names,
    "metadata": st.one_of(
        st.just({}),
        st.fixed_dictionaries({"isClosed": st.sampled_from(["true", "false"]),
                               "probability": st.sampled_from(["0.0", "0.5", "1.0", "x"])}),
        st.fixed_dictionaries({"ticketState": st.sampled_from(["OPEN", "CLOSED"])})),
})
_pipeline = st.fixed_dictionaries({
    "id": st.text(alphabet="pq0", max_size=3),
    "label": _names,
    "stages": st.lists(_stage, max_size=9, unique_by=lambda s: s["id"]),
})
_sf_values = st.lists(st.one_of(_names, st.sampled_from(["Closed Won", "Closed Lost",
                                                          "Closed", "High"])),
                      max_size=12, unique=True).map(lambda vs: [(v, v) for v in vs])
_target = st.sampled_from([("deals", "dealstage"), ("tickets", "hs_pipeline_stage"),
                           ("tickets", "hs_ticket_priority")])


@settings(max_examples=300, deadline=None)
@given(target=_target, sf_values=_sf_values,
       pipelines=st.lists(_pipeline, min_size=1, max_size=3, unique_by=lambda p: p["id"]))
def test_every_value_and_every_stage_appears_in_some_row(target, sf_values, pipelines):
    rows = default_value_mappings(*target, sf_values, pipelines)
    keys = [(r["pipeline"], r["hs_value"], r["sf_value"]) for r in rows]
    assert len(keys) == len(set(keys))  # the unique constraint holds
    for p in pipelines:
        mine = [r for r in rows if r["pipeline"] == p["id"]]
        stage_ids = [s["id"] for s in p["stages"]]
        assert [r["hs_value"] for r in mine if r["hs_value"] not in stage_ids] == []
        assert {r["hs_value"] for r in mine} == set(stage_ids)
        if stage_ids:
            assert {r["sf_value"] for r in mine} == {v for v, _l in sf_values} or (
                not sf_values and {r["sf_value"] for r in mine} == {""})
        # Rows come grouped by stage, in the pipeline's order.
        order = [stage_ids.index(r["hs_value"]) for r in mine]
        assert order == sorted(order)


@settings(max_examples=100, deadline=None)
@given(sf_values=_sf_values, pipelines=st.lists(_pipeline, min_size=1, max_size=2,
                                                unique_by=lambda p: p["id"]))
def test_defaults_are_deterministic(sf_values, pipelines):
    assert default_value_mappings("deals", "dealstage", sf_values, pipelines) == \
        default_value_mappings("deals", "dealstage", sf_values, pipelines)


@pytest.mark.django_db
def test_ensure_saves_defaults_once_without_audit_entries(account):
    from syncadmin.audit.models import AuditEntry
    from syncadmin.integration.models import ValueMapping

    data = ({("deals", "dealstage"): SF_STAGES, ("tickets", "hs_pipeline_stage"): SF_STATUS,
             ("tickets", "hs_ticket_priority"): SF_PRIORITY},
            {"deals": DEALS, "tickets": TICKETS})
    created = ensure_value_mappings(account, *data)
    assert created == 10 + 4 + 4
    assert ensure_value_mappings(account, *data) == 0
    assert not AuditEntry.objects.filter(account=account).exists()
    first = ValueMapping.objects.filter(account=account, object="deals",
                                        hs_value="appointmentscheduled").order_by("id")[0]
    assert first.sf_value == "Prospecting" and first.hs_label == "Appointment Scheduled"
    # An edited property is never overwritten; a pipeline added in HubSpot gets its defaults.
    first.sf_value = ""
    first.save()
    new_pipeline = {"id": "renewals", "label": "Renewals", "stages": [
        {"id": "r1", "label": "Prospecting", "metadata": {}}]}
    created = ensure_value_mappings(account, {("deals", "dealstage"): SF_STAGES},
                                    {"deals": [*DEALS, new_pipeline]})
    assert created == len(SF_STAGES)
    first.refresh_from_db()
    assert first.sf_value == ""
    assert ValueMapping.objects.filter(account=account, object="deals",
                                       pipeline="default").count() == 10


@pytest.mark.django_db
def test_ensure_skips_what_it_has_no_data_for(account):
    from syncadmin.integration.models import ValueMapping

    assert ensure_value_mappings(account, {}, {"deals": DEALS}) == 0
    assert ensure_value_mappings(account, {("deals", "dealstage"): SF_STAGES}, {}) == 0
    assert not ValueMapping.objects.filter(account=account).exists()
