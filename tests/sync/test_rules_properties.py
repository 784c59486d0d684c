"""Property-based tests of the sync rules (Hypothesis). No database."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncadmin.sync.rules import (
    LIFECYCLE_ORDER,
    ContactPolicy,
    Mapping,
    company_lifecycle_propagation,
    is_blank,
    lifecycle_from_opportunities,
    normalize_value,
    plan_fields,
)

PROPS = ["email", "phone", "city", "employees", "jobtitle"]
TYPES = {"email": "text", "phone": "text", "city": "text", "employees": "number",
         "jobtitle": "text"}
RULES = ["prefer_sf", "always_sf", "two_way", "none"]
DIRECTIONS = ["two_way", "to_hubspot", "to_salesforce"]
APPS = ["hubspot", "salesforce"]

# Small alphabets so that equal-after-normalisation values (case, spaces, 10 vs "10.0")
# and conflicts happen often.
text_values = st.one_of(
    st.none(),
    st.sampled_from(["", " ", "a", "A", " a ", "b", "x@y.com", "X@Y.COM", "10", "10.0"]),
    st.integers(-3, 3),
    st.floats(allow_nan=False, allow_infinity=False, width=16),
)


@st.composite
def mappings(draw):
    props = draw(st.lists(st.sampled_from(PROPS), min_size=1, max_size=5, unique=True))
    return [
        Mapping(
            hs_property=p,
            sf_field=p.title(),
            sf_lead_field=draw(st.sampled_from([p.title(), ""])),
            rule=draw(st.sampled_from(RULES)),
            conflict_app=draw(st.sampled_from(APPS)),
            enabled=draw(st.booleans()),
            field_type=TYPES[p],
        )
        for p in props
    ]


records = st.dictionaries(st.sampled_from(PROPS), text_values, max_size=5)
maybe_record = st.one_of(st.none(), records)
snapshots = st.one_of(st.none(), records)
objects = st.sampled_from(["Contact", "Lead"])
directions = st.sampled_from(DIRECTIONS)


def apply(record, writes, *, create):
    """The record after the engine wrote `writes`; a missing record is created if `create`."""
    if record is None and not create:
        return None
    return {**(record or {}), **writes}


def run(ms, hs, sf, snap, obj, direction, create):
    """One sync pass: plan, then apply the plan as the engine would."""
    plan = plan_fields(ms, hs, sf, snap, sf_object=obj, direction=direction)
    hs2 = apply(hs, plan.to_hs, create=create and direction != "to_salesforce")
    sf2 = apply(sf, plan.to_sf, create=create and direction != "to_hubspot")
    return plan, hs2, sf2


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(mappings(), records, records, snapshots, objects, directions)
def test_planning_again_after_applying_a_plan_writes_nothing(ms, hs, sf, snap, obj, direction):
    first, hs2, sf2 = run(ms, hs, sf, snap, obj, direction, create=False)
    second = plan_fields(ms, hs2, sf2, first.snapshot, sf_object=obj, direction=direction)
    assert second.to_hs == {}
    assert second.to_sf == {}
    assert second.snapshot == first.snapshot


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(mappings(), records, st.booleans(), snapshots, objects, directions, st.booleans())
def test_creating_a_record_settles_after_at_most_one_more_pass(
    ms, values, missing_in_sf, snap, obj, direction, create
):
    """After a creation only always_sf fields may still change (HubSpot takes the blank of
    the new SF record); the pass after that writes nothing."""
    hs, sf = (values, None) if missing_in_sf else (None, values)
    first, hs2, sf2 = run(ms, hs, sf, snap, obj, direction, create)
    second, hs3, sf3 = run(ms, hs2, sf2, first.snapshot, obj, direction, create=False)
    if hs2 is None or sf2 is None:  # not created: the same creation plan stands
        assert (second.to_hs, second.to_sf) == (first.to_hs, first.to_sf)
        return
    always = {m.hs_property for m in ms if m.rule == "always_sf"}
    assert second.to_sf == {}
    assert set(second.to_hs) <= always
    assert all(v is None for v in second.to_hs.values())
    third = plan_fields(ms, hs3, sf3, second.snapshot, sf_object=obj, direction=direction)
    assert third.to_hs == {} and third.to_sf == {}


@given(mappings(), maybe_record, maybe_record, snapshots, objects, directions)
def test_always_sf_never_writes_to_salesforce(ms, hs, sf, snap, obj, direction):
    plan = plan_fields(ms, hs, sf, snap, sf_object=obj, direction=direction)
    always = {m.hs_property for m in ms if m.rule == "always_sf"}
    assert not always & plan.to_sf.keys()


@given(mappings(), maybe_record, maybe_record, snapshots, objects)
def test_direction_limits_which_side_is_written(ms, hs, sf, snap, obj):
    assert plan_fields(ms, hs, sf, snap, sf_object=obj, direction="to_hubspot").to_sf == {}
    assert plan_fields(ms, hs, sf, snap, sf_object=obj, direction="to_salesforce").to_hs == {}


@given(mappings(), records, records, snapshots, objects, directions)
def test_two_way_never_overwrites_a_non_blank_value_with_a_blank(ms, hs, sf, snap, obj, d):
    plan = plan_fields(ms, hs, sf, snap, sf_object=obj, direction=d)
    for m in ms:
        if m.rule != "two_way":
            continue
        key = m.hs_property
        if key in plan.to_hs:
            assert not is_blank(plan.to_hs[key]) or is_blank(hs.get(key))
        if key in plan.to_sf:
            assert not is_blank(plan.to_sf[key]) or is_blank(sf.get(key))


@given(mappings(), records, records, records, objects, directions)
def test_writes_only_when_the_sides_really_differ(ms, hs, sf, snap, obj, d):
    plan = plan_fields(ms, hs, sf, snap, sf_object=obj, direction=d)
    by_key = {m.hs_property: m for m in ms}
    for key in {**plan.to_hs, **plan.to_sf}:
        m = by_key[key]
        assert m.enabled and m.rule != "none" and m.sf_name(obj)

        def norm(v, m=m):
            return normalize_value(v, hs_property=m.hs_property, field_type=m.field_type)

        assert norm(hs.get(key)) != norm(sf.get(key))


stages = st.one_of(st.none(), st.sampled_from([*LIFECYCLE_ORDER, "other", "", "weird"]))
opportunities = st.lists(st.tuples(st.booleans(), st.booleans()), max_size=6)


def rank(stage):
    return LIFECYCLE_ORDER.index(stage) if stage in LIFECYCLE_ORDER else -1


@given(stages, opportunities, st.sampled_from(["Contact", "Lead"]), st.booleans())
def test_lifecycle_never_moves_backward(current, opps, obj, update):
    policy = ContactPolicy(lifecycle="update" if update else "nothing")
    new = lifecycle_from_opportunities(policy, current, opps, sf_object=obj)
    if new is not None:
        assert obj == "Contact" and update
        assert rank(new) > rank(current)
        assert new in ("opportunity", "customer")


@given(st.dictionaries(st.text(max_size=3), stages, max_size=5), st.sampled_from(LIFECYCLE_ORDER))
def test_company_lifecycle_never_moves_a_contact_backward(contacts, new_stage):
    policy = ContactPolicy(company_lifecycle_sync=True)
    moved = company_lifecycle_propagation(policy, contacts, new_stage)
    assert set(moved) <= set(contacts)
    for cid, stage in moved.items():
        assert stage == new_stage and rank(new_stage) > rank(contacts[cid])
