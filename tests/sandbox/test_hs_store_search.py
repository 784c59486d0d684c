"""The emulator's indexed search agrees with a brute-force filter (property-based)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.sandbox.hs_store import Portal, parse_ms

BASE = 1_767_225_600_000
OPS = ["GT", "GTE", "LT", "LTE", "EQ", "NEQ"]

filters = st.lists(
    st.tuples(st.sampled_from(["lastmodifieddate", "hs_lastmodifieddate", "numemployees"]),
              st.sampled_from(OPS), st.integers(0, 12)),
    min_size=0, max_size=3)


def brute(val: float | None, op: str, target: float) -> bool:
    if op == "NEQ":
        return val is None or val != target
    if val is None:
        return False
    return {"GT": val > target, "GTE": val >= target, "LT": val < target,
            "LTE": val <= target, "EQ": val == target}[op]


@settings(max_examples=150, deadline=None)
@given(mods=st.lists(st.integers(0, 12), min_size=0, max_size=25),
       groups=st.lists(filters, min_size=0, max_size=3), desc=st.booleans())
def test_search_matches_brute_force(mods, groups, desc):
    store = Portal().stores["contacts"]
    for i, m in enumerate(mods):
        props = {"numemployees": str(i % 7)} if i % 3 else {}
        store.create(props, at=BASE + m * 1000)
    api_groups = []
    for g in groups:
        api_groups.append([
            {"propertyName": name, "operator": op,
             "value": str(BASE + v * 1000) if name != "numemployees" else str(v)}
            for name, op, v in g])
    got = store.search(api_groups, [("lastmodifieddate", desc)], None)

    def value(rec, name):
        if name == "numemployees":
            v = rec.props.get("numemployees")
            return float(v) if v is not None else None
        return parse_ms(rec.props[name])

    def ok(rec, g):
        return all(brute(value(rec, n), op, float(f["value"]))
                   for n, op, f in ((f["propertyName"], f["operator"], f) for f in g))

    live = list(store.records.values())
    want = [r for r in live if not api_groups or any(ok(r, g) for g in api_groups)]
    want.sort(key=lambda r: (r.updated, r.id), reverse=desc)
    assert [r.updated for r in got] == [r.updated for r in want]
    assert {r.id for r in got} == {r.id for r in want}


@settings(max_examples=150, deadline=None)
@given(mods=st.lists(st.integers(0, 12), min_size=0, max_size=25),
       bounds=st.lists(st.tuples(st.sampled_from(["GT", "GTE", "LT", "LTE"]),
                                 st.integers(-1, 13)), min_size=1, max_size=3),
       desc=st.booleans(), after=st.integers(0, 30), limit=st.integers(1, 10))
def test_index_fast_path_pages_like_the_full_search(mods, bounds, desc, after, limit):
    store = Portal().stores["contacts"]
    for m in mods:
        store.create({}, at=BASE + m * 1000)
    group = [[{"propertyName": "lastmodifieddate", "operator": op,
               "value": str(BASE + v * 1000)} for op, v in bounds]]
    total, page = store.search_page(group, [("lastmodifieddate", desc)], None, after, limit)
    full = store.search(group, [("lastmodifieddate", desc)], None)
    assert total == len(full)
    assert [r.id for r in page] == [r.id for r in full[after:after + limit]]
