"""HubSpotAdapter against the HubSpot emulator through the real hubspot-api-client."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connectors.errors import Kind, RemoteError
from connectors.hubspot import HubSpotAdapter, HubSpotConfig, endpoint_of
from connectors.usage import MemoryLedger

BASE = 1_767_225_600_000  # 2026-01-01T00:00:00Z
SINCE = datetime(2025, 12, 31, tzinfo=UTC)
UNTIL = datetime(2027, 1, 1, tzinfo=UTC)


@pytest.fixture
def ledger():
    return MemoryLedger()


@pytest.fixture
def make(hs, ledger):
    def _make(**kw):
        cfg = HubSpotConfig(
            host=hs.url,
            access_token=kw.pop("access_token", hs.token),
            ca_file=hs.ca_file,
            backoff_base=0.01,
            backoff_max=0.5,
            **kw,
        )
        return HubSpotAdapter(cfg, ledger, on_token_refresh=kw.get("cb"))

    return _make


@pytest.fixture
def hsa(make):
    return make()


def contacts(n, prefix="c"):
    return [{"email": f"{prefix}{i}@example.com", "firstname": f"F{i}"} for i in range(n)]


@pytest.mark.parametrize(("n", "calls"), [(99, 1), (100, 1), (101, 2), (1000, 10)])
def test_upsert_batches_of_100(hs, hsa, ledger, n, calls):
    outs = hsa.upsert_many("contacts", "email", contacts(n))
    assert hsa.calls == calls
    assert all(o.ok and o.created for o in outs)
    assert [o.key for o in outs] == [f"c{i}@example.com" for i in range(n)]
    assert ledger.count("hubspot") == calls == hs.control.usage()["total"]


def test_upsert_again_updates_without_duplicates(hs, hsa):
    first = hsa.upsert_many("contacts", "email", contacts(3))
    again = hsa.upsert_many("contacts", "email", [{"email": "C1@EXAMPLE.com", "firstname": "New"}])
    assert again[0].ok and not again[0].created and again[0].id == first[1].id
    got = hsa.get_many("contacts", [first[1].id], ["firstname"])
    assert got[0]["properties"]["firstname"] == "New"


def test_upsert_partial_failure_returns_per_record_outcomes(hs, hsa):
    recs = contacts(4)
    recs[1]["email"] = "broken@"
    recs[2]["lifecyclestage"] = "prospect"
    recs[3]["nosuch"] = "x"
    outs = hsa.upsert_many("contacts", "email", recs + [{"firstname": "no email"}])
    assert [o.ok for o in outs] == [True, False, False, False, False]
    assert outs[1].error.kind == Kind.INVALID_EMAIL and outs[1].error.record == "broken@"
    assert outs[2].error.kind == Kind.PICKLIST_VALUE
    assert outs[2].error.fields == ("lifecyclestage",)
    assert outs[3].error.kind == Kind.FIELD_MISSING
    assert outs[4].error.kind == Kind.REQUIRED_FIELD
    assert hsa.calls == 1  # the good one is not redone
    assert all(o.error.permanent for o in outs[1:])


def test_duplicate_keys_go_to_separate_batches(hsa):
    outs = hsa.upsert_many(
        "contacts",
        "email",
        [{"email": "d@x.com", "firstname": "A"}, {"email": "D@x.com", "firstname": "B"}],
    )
    assert all(o.ok for o in outs) and outs[0].id == outs[1].id and hsa.calls == 2


def test_create_update_archive_many(hs, hsa):
    created = hsa.create_many(
        "companies",
        [{"name": f"Co{i}"} for i in range(101)] + [{"properties": {"numberofemployees": "lots"}}],
    )
    assert hsa.calls == 2
    assert [o.ok for o in created[-2:]] == [True, False]
    assert created[-1].error.kind == Kind.TYPE_MISMATCH and created[-1].key == "101"
    ids = [o.id for o in created if o.ok]
    upd = hsa.update_many(
        "companies",
        [
            {"id": ids[0], "properties": {"city": "Bergen"}},
            {"id": "999999", "properties": {"city": "x"}},
        ],
    )
    assert upd[0].ok and upd[1].error.kind == Kind.RECORD_DELETED and upd[1].key == "999999"
    hsa.archive_many("companies", ids)
    assert list(hsa.list_all("companies", ["name"])) == []
    archived = [r for page in hsa.list_all("companies", ["name"], archived=True) for r in page]
    assert len(archived) == 101


def test_get_many_and_list_all_paging(hs, hsa):
    ids = hs.control.load({"contacts": contacts(250)})["contacts"]
    got = hsa.get_many("contacts", ids[:201] + ["424242"], ["firstname"])
    assert len(got) == 201 and hsa.calls == 3
    by_email = hsa.get_many("contacts", ["c5@example.com"], ["firstname"], id_property="email")
    assert by_email[0]["properties"]["firstname"] == "F5"
    pages = list(hsa.list_all("contacts", ["email"]))
    assert [len(p) for p in pages] == [100, 100, 50]
    assert set(pages[0][0]) == {"id", "properties", "createdAt", "updatedAt", "archived"}


def test_changed_reads_window_in_pages_ascending(hs, hsa):
    rows = [{"email": f"w{i}@x.com", "lastmodifieddate": BASE + i * 1000} for i in range(450)]
    hs.control.load({"contacts": rows})
    since = datetime.fromtimestamp((BASE + 49_000) / 1000, UTC)  # exclusive
    until = datetime.fromtimestamp((BASE + 400_000) / 1000, UTC)  # inclusive
    pages = list(hsa.changed("contacts", ["email"], since, until))
    emails = [r["properties"]["email"] for p in pages for r in p]
    assert emails == [f"w{i}@x.com" for i in range(50, 401)]
    assert [len(p) for p in pages] == [200, 151] and hsa.calls == 2


def test_a_full_read_lists_instead_of_searching(hs, hsa, ledger):
    """From the beginning of time (an initial or full sync) `changed` pages through the list
    API: no search rate limit, no 10,000 cap, no indexing delay; `until` still bounds it."""
    rows = [{"email": f"f{i}@x.com", "lastmodifieddate": BASE + i * 1000} for i in range(250)]
    hs.control.load({"contacts": rows})
    until = datetime.fromtimestamp((BASE + 199_000) / 1000, UTC)
    pages = list(hsa.changed("contacts", ["email"], datetime(2000, 1, 1, tzinfo=UTC), until))
    emails = sorted(r["properties"]["email"] for p in pages for r in p)
    assert emails == sorted(f"f{i}@x.com" for i in range(200))
    endpoints = {e for _, e, _ in ledger.calls}
    assert endpoints == {"GET /crm/v3/objects/contacts"} and hsa.calls == 3  # 100 a page


def test_changed_reads_past_the_10000_search_cap(hs, make):
    # About the cap, not the pace: 53 searches at HubSpot's 5 a second would take 11 s.
    hs.control.limits(search_per_second=None)
    hsa = make(search_per_second=0)
    # 10,450 changes, several sharing a timestamp across the restart point.
    rows = [{"firstname": "n", "lastmodifieddate": BASE + i // 3} for i in range(10_450)]
    ids = hs.control.load({"contacts": rows})["contacts"]
    seen = [r["id"] for p in hsa.changed("contacts", [], SINCE, UNTIL) for r in p]
    assert len(seen) == len(set(seen)) == 10_450
    assert set(seen) == set(ids)
    assert hsa.calls == 50 + 3  # 50 pages up to the cap, then 3 after the restart


def test_search_by_email_chunks_values(hs, hsa):
    hs.control.load({"contacts": contacts(150)})
    found = hsa.search_by(
        "contacts", "email", [f"C{i}@Example.com" for i in range(150)] + ["none@x.com"], ["email"]
    )
    assert len(found) == 150 and hsa.calls == 2


def test_properties_cached_and_ensure_property(hs, hsa):
    props = hsa.properties("contacts")
    assert props["lifecyclestage"]["type"] == "enumeration"
    hsa.properties("contacts")
    assert hsa.calls == 1
    assert hsa.ensure_property("contacts", "salesforce_id", "Salesforce ID", unique=True)
    assert not hsa.ensure_property("contacts", "salesforce_id", "Salesforce ID", unique=True)
    assert hsa.properties("contacts")["salesforce_id"]["hasUniqueValue"] is True
    assert hsa.calls == 2
    hs.control.property("contacts", name="made_elsewhere", label="x")
    assert not hsa.ensure_property("contacts", "made_elsewhere", "x")  # 409 -> exists


def test_lists_and_members(hs, hsa):
    ids = hs.control.load({"contacts": contacts(300)})["contacts"]
    lst = hs.control.create_list(
        name="Sync", objectTypeId="0-1", processingType="MANUAL", members=ids[:260]
    )
    assert hsa.list_members(lst["listId"]) == set(ids[:260])
    assert hsa.calls == 2
    assert [x["name"] for x in hsa.lists()] == ["Sync"]


def test_associations(hs, hsa):
    ids = hs.control.load({"contacts": contacts(3), "companies": [{"name": "A"}, {"name": "B"}]})
    c, co = ids["contacts"], ids["companies"]
    outs = hsa.associate_many(
        "contacts", "companies", [(c[0], co[0]), (c[1], co[0]), (c[2], "999999")]
    )
    assert [o.ok for o in outs] == [True, True, False]
    assert outs[2].error.kind == Kind.ASSOCIATION_FAILED and outs[2].key == f"{c[2]}:999999"
    labelled = hsa.associate_many("contacts", "companies", [(c[2], co[1])], type_id=1)
    assert labelled[0].ok
    bad = hsa.associate_many("contacts", "companies", [(c[0], co[1])], type_id=3)
    assert bad[0].error.kind == Kind.ASSOCIATION_FAILED
    got = hsa.associations("contacts", c + ["424242"], "companies")
    assert got == {c[0]: [co[0]], c[1]: [co[0]], c[2]: [co[1]], "424242": []}


def test_associations_typed_primary_labels_and_unassociate(hs, hsa, ledger):
    ids = hs.control.load({"deals": [{"dealname": "D1"}, {"dealname": "D2"}],
                           "companies": [{"name": "A"}, {"name": "B"}]})
    d, co = ids["deals"], ids["companies"]
    assert all(o.ok for o in hsa.associate_many("deals", "companies",
                                                [(d[0], co[0]), (d[0], co[1])]))
    assert hsa.associate_many("deals", "companies", [(d[0], co[0])], type_id=5)[0].ok
    hsa.calls = 0
    got = hsa.associations_typed("deals", [d[0], d[1]], "companies")
    assert got == {d[0]: [(co[0], [5, 341]), (co[1], [341])], d[1]: []}
    assert hsa.calls == 1
    back = hsa.associations_typed("companies", [co[0]], "deals")
    assert back == {co[0]: [(d[0], [6, 342])]}

    # removing only the Primary label keeps the plain association
    outs = hsa.unassociate_many("deals", "companies", [(d[0], co[0])], type_id=5)
    assert [o.key for o in outs] == [f"{d[0]}:{co[0]}"] and outs[0].ok
    assert hsa.associations_typed("deals", [d[0]], "companies")[d[0]][0] == (co[0], [341])
    outs = hsa.unassociate_many("deals", "companies",
                                [(d[0], co[0]), (d[0], co[1]), (d[1], co[0])])
    assert all(o.ok for o in outs) and len(outs) == 3
    assert hsa.associations_typed("deals", d, "companies") == {d[0]: [], d[1]: []}
    assert ledger.count("hubspot") == hs.control.usage()["total"]


def test_association_batches_take_2000_writes_and_1000_reads(hs, hsa):
    """v4 association batches are larger than object batches (2,000 per create/archive,
    1,000 ids per read): 2,001 contacts cost two calls each way."""
    ids = hs.control.load({"contacts": contacts(2001), "companies": [{"name": "A"}]})
    c, co = ids["contacts"], ids["companies"][0]
    hsa.calls = 0
    assert all(o.ok for o in hsa.associate_many("contacts", "companies", [(x, co) for x in c]))
    assert hsa.calls == 2
    hsa.calls = 0
    assert len(hsa.associations_typed("contacts", c, "companies")) == 2001
    assert hsa.calls == 3  # 1,000 + 1,000 + 1
    hsa.calls = 0
    outs = hsa.unassociate_many("contacts", "companies", [(x, co) for x in c])
    assert hsa.calls == 2 and all(o.ok for o in outs)
    assert hsa.associations_typed("companies", [co], "contacts") == {co: []}


def test_pipelines(hs, hsa, ledger):
    deals = hsa.pipelines("deals")
    assert [(p["id"], p["label"]) for p in deals] == [("default", "Sales Pipeline")]
    assert deals[0]["stages"][0] == {"id": "appointmentscheduled",
                                     "label": "Appointment Scheduled",
                                     "metadata": {"isClosed": "false", "probability": "0.2"}}
    assert [s["id"] for s in deals[0]["stages"]][-2:] == ["closedwon", "closedlost"]
    hs.control.add_pipeline("tickets", id="esc", label="Escalations", displayOrder=1,
                            stages=[{"id": "e1", "label": "Open",
                                     "metadata": {"ticketState": "OPEN"}}])
    tickets = hsa.pipelines("tickets")
    assert [p["id"] for p in tickets] == ["0", "esc"]
    assert tickets[0]["stages"][3] == {"id": "4", "label": "Closed",
                                       "metadata": {"ticketState": "CLOSED"}}
    assert ledger.count("hubspot") == 2


def test_portal_id_of_a_private_app_token(hs, hsa):
    assert hsa.portal_id() == str(hs.portal_id)


@pytest.mark.parametrize("kind", ["p500", "p503", "p429", "ptimeout"])
def test_transient_faults_are_retried(hs, make, ledger, kind):
    hsa = make(timeout=0.3)
    hs.control.faults([{"path": "/crm/v3/objects/*", kind: 1.0, "times": 2, "timeout": 0.6}])
    outs = hsa.upsert_many("contacts", "email", contacts(5))
    assert all(o.ok for o in outs)
    assert hsa.calls == 3 == ledger.count("hubspot") == hs.control.usage()["total"]


def test_retries_are_bounded(hs, make):
    hsa = make(max_retries=2)
    hs.control.faults([{"path": "*", "p503": 1.0}])
    with pytest.raises(RemoteError) as info:
        hsa.get_many("contacts", ["1"], [])
    assert info.value.kind == Kind.UNAVAILABLE and not info.value.permanent
    assert hsa.calls == 3


def test_rate_limit_waits_for_the_window(hs, hsa):
    """The client learns the burst limit from the answers and spaces its requests, so it
    never meets a 429 (hubspot_pacing); a 429 that still comes is waited out (below)."""
    hs.control.limits(ten_secondly=2, interval_ms=300)
    for _ in range(4):
        hsa.get_many("contacts", ["1"], [])
    assert hsa.calls == 4  # no request repeated after a 429


def test_injected_429_honours_retry_after(hs, hsa):
    hs.control.faults([{"path": "*", "p429": 1.0, "times": 1, "retry_after": 0.2}])
    slept = []
    hsa.sleep = lambda s: slept.append(s)
    hsa.get_many("contacts", ["1"], [])
    assert slept == [0.2]


def test_daily_limit_is_not_retried(hs, hsa):
    hs.control.limits(daily=0)
    with pytest.raises(RemoteError) as info:
        hsa.get_many("contacts", ["1"], [])
    assert info.value.kind == Kind.RATE_LIMITED and info.value.code == "DAILY"
    assert hsa.calls == 1


def test_expired_token_refreshes_once_and_reports_new_tokens(hs, make, ledger):
    pair = hs.control.issue_oauth()
    seen = []
    cfg = HubSpotConfig(
        host=hs.url,
        access_token=pair["access_token"],
        refresh_token=pair["refresh_token"],
        client_id=hs.client_id,
        client_secret=hs.client_secret,
        ca_file=hs.ca_file,
        backoff_base=0.01,
    )
    hsa = HubSpotAdapter(cfg, ledger, on_token_refresh=lambda *a: seen.append(a))
    hsa.get_many("contacts", ["1"], [])
    hs.control.expire(pair["access_token"])
    hsa.get_many("contacts", ["1"], [])
    assert len(seen) == 1 and seen[0][0] != pair["access_token"]
    assert seen[0][2] is not None  # the new token's expiry, to be stored
    assert hsa.calls == 4 == ledger.count("hubspot")  # read, 401, refresh, read
    assert [e for _, e, _ in ledger.calls if "oauth" in e] == ["POST /oauth/v3/token"]


def test_expired_token_without_refresh_credentials_is_auth_expired(hs, make):
    pair = hs.control.issue_oauth()
    hs.control.expire(pair["access_token"])
    hsa = make(access_token=pair["access_token"])
    with pytest.raises(RemoteError) as info:
        hsa.get_many("contacts", ["1"], [])
    assert info.value.kind == Kind.AUTH_EXPIRED and hsa.calls == 1


def test_bad_token_is_auth_expired_without_retry(make):
    hsa = make(access_token="pat-na1-bogus")
    with pytest.raises(RemoteError) as info:
        hsa.properties("contacts")
    assert info.value.kind == Kind.AUTH_EXPIRED and info.value.code == "INVALID_AUTHENTICATION"
    assert hsa.calls == 1


def test_error_kinds_of_single_failures(hs, hsa):
    hs.control.property("contacts", name="jobtitle", read_only=True)
    hs.control.property("contacts", name="sf_id", label="SF", unique=True)
    hsa.upsert_many("contacts", "email", [{"email": "taken@x.com", "sf_id": "S1"}])
    outs = hsa.upsert_many(
        "contacts",
        "email",
        [
            {"email": "r@x.com", "jobtitle": "CEO"},
            {"email": "n@x.com", "numemployees": "many"},
            {"email": "d@x.com", "date_of_birth": "soon"},
            {"email": "other@x.com", "sf_id": "S1"},
        ],
    )
    assert [o.error.kind for o in outs] == [
        Kind.INSUFFICIENT_ACCESS,
        Kind.TYPE_MISMATCH,
        Kind.TYPE_MISMATCH,
        Kind.DUPLICATE_RULE,
    ]
    with pytest.raises(RemoteError) as info:
        hsa.changed("widgets", [], SINCE, UNTIL).__next__()
    assert info.value.kind == Kind.GENERIC and "widgets" in info.value.message


def test_every_request_is_in_the_ledger_with_its_endpoint(hs, hsa, ledger):
    hsa.upsert_many("contacts", "email", contacts(2))
    hsa.properties("deals")
    hsa.portal_id()
    assert [e for _, e, _ in ledger.calls] == [
        "POST /crm/v3/objects/contacts/batch/upsert",
        "GET /crm/v3/properties/deals",
        "GET /account-info/v3/details",
    ]
    assert endpoint_of("GET", "https://h:1/crm/v3/objects/contacts/123?x=1") == (
        "GET /crm/v3/objects/contacts/{id}"
    )


def test_classify_without_error_details_and_other_statuses():
    from connectors.hubspot import classify

    msg = (
        'Property values were not valid: [{"isValid":false,"message":"x","error":'
        '"INVALID_OPTION","name":"dealstage"}]'
    )
    e = classify(400, {"status": "error", "message": msg, "category": "VALIDATION_ERROR"})
    assert e.kind == Kind.PICKLIST_VALUE and e.fields == ("dealstage",)
    assert classify(403, {"category": "MISSING_SCOPES", "message": "m"}).kind == (
        Kind.INSUFFICIENT_ACCESS
    )
    assert classify(502, {}, raw="<html>bad gateway</html>").kind == Kind.UNAVAILABLE
    odd = classify(400, {}, raw="something odd")
    assert odd.kind == Kind.GENERIC and odd.message == "something odd" and odd.permanent
