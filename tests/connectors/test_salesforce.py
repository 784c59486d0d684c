"""The Salesforce adapter through the real simple-salesforce client against the emulator."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from connectors.errors import BudgetExhausted, Kind, RemoteError
from connectors.salesforce import Outcome, SalesforceAdapter, SalesforceConfig
from connectors.sandbox.salesforce import SalesforceHandle
from connectors.usage import Budget, MemoryLedger
from tests.fixtures.sf import sf_session

EXT = "HubSpot_Id__c"
REDIRECT = "https://app.example/cb"


def make(
    sf: SalesforceHandle, ledger: MemoryLedger | None = None, **kw: object
) -> SalesforceAdapter:
    budget = kw.pop("budget", None)
    on_refresh = kw.pop("on_token_refresh", None)
    cfg = SalesforceConfig(
        instance_url=sf.url,
        access_token=sf.session_id,
        ca_file=sf.ca_file,
        login_url=sf.login_url,
        client_id=sf.client_id,
        client_secret=sf.client_secret,
        backoff_base=0.01,
        **kw,
    )
    return SalesforceAdapter(cfg, ledger or MemoryLedger(), budget, on_token_refresh=on_refresh)


def used(sf: SalesforceHandle) -> int:
    return sf.control.usage()["used"]


def oauth_tokens(sf: SalesforceHandle) -> dict:
    s = sf_session(sf)
    r = s.post(
        sf.login_url + "/services/oauth2/authorize",
        data={
            "response_type": "code",
            "client_id": sf.client_id,
            "redirect_uri": REDIRECT,
            "username": sf.username,
            "password": sf.password,
            "action": "allow",
        },
        allow_redirects=False,
    )
    code = parse_qs(urlsplit(r.headers["Location"]).query)["code"][0]
    return s.post(
        sf.login_url + "/services/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": sf.client_id,
            "client_secret": sf.client_secret,
            "redirect_uri": REDIRECT,
        },
    ).json()


def people(n: int, start: int = 0) -> list[dict]:
    return [
        {EXT: f"hs{i}", "LastName": f"Person {i}", "Email": f"p{i}@example.com"}
        for i in range(start, start + n)
    ]


@pytest.fixture
def adapter(sf: SalesforceHandle) -> SalesforceAdapter:
    a = make(sf)
    assert a.ensure_external_id_field("Contact", EXT, "HubSpot Id") is True
    return a


# ---------------------------------------------------------------- call accounting


# Up to five collections of 200 travel in one composite call: 1,000 records a call.
@pytest.mark.parametrize(("n", "calls"), [(199, 1), (200, 1), (201, 1), (1000, 1), (1001, 2)])
def test_upsert_batches_at_200(
    sf: SalesforceHandle, adapter: SalesforceAdapter, n: int, calls: int
) -> None:
    before, emu = adapter.calls, used(sf)
    out = adapter.upsert_many("Contact", EXT, people(n))
    assert adapter.calls - before == calls and used(sf) - emu == calls
    assert len(out) == n and all(o.ok and o.created for o in out)
    assert [o.key for o in out] == [f"hs{i}" for i in range(n)]


def test_upserting_1000_contacts_costs_1_call_and_is_idempotent(
    sf: SalesforceHandle, adapter: SalesforceAdapter
) -> None:
    before = adapter.calls
    first = adapter.upsert_many("Contact", EXT, people(1000))
    assert adapter.calls - before == 1 and all(o.created for o in first)
    again = adapter.upsert_many("Contact", EXT, people(1000))
    assert all(o.ok and not o.created for o in again)
    assert [o.id for o in again] == [o.id for o in first]
    assert sum(len(p) for p in adapter.query("SELECT Id FROM Contact")) == 1000


def test_reading_10000_changed_contacts_costs_5_calls(sf: SalesforceHandle) -> None:
    base = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    sf.control.insert(
        "Contact",
        [
            {"LastName": f"C{i}", "SystemModstamp": (base + timedelta(seconds=i)).isoformat()}
            for i in range(10_050)
        ],
    )
    a = make(sf)
    pages = list(
        a.changed(
            "Contact", ["LastName"], base + timedelta(seconds=49), base + timedelta(seconds=10_049)
        )
    )
    assert a.calls == 5 and [len(p) for p in pages] == [2000] * 5
    rows = [r for p in pages for r in p]
    assert rows[0]["LastName"] == "C50" and rows[-1]["LastName"] == "C10049"
    stamps = [r["SystemModstamp"] for r in rows]
    assert stamps == sorted(stamps)
    assert "attributes" not in rows[0]


def test_idle_poll_of_two_objects_costs_one_call(sf: SalesforceHandle) -> None:
    a = make(sf)
    now = datetime.now(UTC)
    q = "SELECT Id FROM {} WHERE SystemModstamp > {} AND SystemModstamp <= {}"
    since = (now - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    until = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    before = used(sf)
    out = a.poll(
        {"Contact": q.format("Contact", since, until), "Lead": q.format("Lead", since, until)},
        include_deleted=True,
    )
    assert out == {"Contact": [], "Lead": []}
    assert a.calls == 1 and used(sf) - before == 1


def test_poll_fetches_more_pages_only_where_needed(sf: SalesforceHandle) -> None:
    sf.control.insert("Contact", [{"LastName": f"C{i}"} for i in range(2100)])
    sf.control.insert("Lead", [{"LastName": "L", "Company": "Co"}])
    a = make(sf)
    out = a.poll(
        {"c": "SELECT Id FROM Contact", "l": "SELECT Id FROM Lead", "a": "SELECT Id FROM Account"}
    )
    assert (len(out["c"]), len(out["l"]), len(out["a"])) == (2100, 1, 0)
    assert a.calls == 2
    seven = {f"k{i}": "SELECT Id FROM Lead" for i in range(7)}  # 5 queries per composite
    a.calls = 0
    assert len(a.poll(seven)) == 7 and a.calls == 2


def test_ledger_counts_exactly_what_salesforce_counted(sf: SalesforceHandle) -> None:
    ledger = MemoryLedger()
    a = make(sf, ledger)
    a.ensure_external_id_field("Contact", EXT, "HubSpot Id")
    a.upsert_many("Contact", EXT, people(150))
    a.upsert_many("Contact", EXT, people(250))
    list(a.query("SELECT Id FROM Contact"))
    a.describe("Contact")
    a.limits()
    a.deleted("Contact", datetime.now(UTC) - timedelta(hours=1), datetime.now(UTC))
    assert ledger.count() == a.calls == used(sf)
    assert ledger.org_used == used(sf) and ledger.org_limit == 100_000
    endpoints = {e for _, e, _ in ledger.calls}
    assert {
        "composite/sobjects",
        "composite",
        "query",
        "sobjects/Contact/describe",
        "limits",
        "sobjects/Contact/deleted",
        "tooling/sobjects/CustomField",
    } <= endpoints


def test_describe_is_cached(sf: SalesforceHandle) -> None:
    a = make(sf)
    d = a.describe("Contact")
    assert a.describe("Contact") is d and a.calls == 1


# --------------------------------------------------------------------- outcomes


def test_partial_batch_failure_keeps_good_records(
    sf: SalesforceHandle, adapter: SalesforceAdapter
) -> None:
    recs = people(5)
    recs[1]["Email"] = "john@"
    recs[3]["LastName"] = "x" * 81
    before = adapter.calls
    out = adapter.upsert_many("Contact", EXT, recs)
    assert adapter.calls - before == 1
    assert [o.ok for o in out] == [True, False, True, False, True]
    assert out[1].error.kind == Kind.INVALID_EMAIL and out[1].error.record == "hs1"
    assert out[1].error.fields == ("Email",) and out[1].error.permanent
    assert out[3].error.kind == Kind.VALUE_TOO_LONG and out[3].key == "hs3"
    assert sum(len(p) for p in adapter.query("SELECT Id FROM Contact")) == 3


def _kind(outcome: Outcome) -> Kind:
    assert not outcome.ok and outcome.error is not None
    return outcome.error.kind


def test_every_record_error_kind(sf: SalesforceHandle, adapter: SalesforceAdapter) -> None:
    a = adapter
    c = sf.control
    acc = a.create_many("Account", [{"Name": "Acme"}])[0].id
    c.validation_rules(
        [
            {
                "object": "Lead",
                "field": "Title",
                "operator": "equals",
                "value": "Bad",
                "message": "No bad titles",
            }
        ]
    )
    c.duplicate_rules([{"object": "Lead", "field": "Email"}])
    lead = a.create_many("Lead", [{"LastName": "L", "Company": "C", "Email": "l@x.com"}])[0]
    assert lead.ok
    c.readonly_fields(["Contact.Department"])
    cases = [
        ({"LastName": "a", "Email": "a b@x.com"}, Kind.INVALID_EMAIL, "INVALID_EMAIL_ADDRESS"),
        ({"LastName": "a" * 81}, Kind.VALUE_TOO_LONG, "STRING_TOO_LONG"),
        (
            {"LastName": "a", "MailingCountryCode": "XX"},
            Kind.PICKLIST_VALUE,
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
        ),
        (
            {"LastName": "a", "MailingCountry": "Italia"},
            Kind.PICKLIST_VALUE,
            "FIELD_INTEGRITY_EXCEPTION",
        ),
        ({"FirstName": "a"}, Kind.REQUIRED_FIELD, "REQUIRED_FIELD_MISSING"),
        (
            {"LastName": "a", "Department": "x"},
            Kind.INSUFFICIENT_ACCESS,
            "INSUFFICIENT_ACCESS_OR_READONLY",
        ),
        (
            {"LastName": "a", "Name": "x"},
            Kind.INSUFFICIENT_ACCESS,
            "INVALID_FIELD_FOR_INSERT_UPDATE",
        ),
        ({"LastName": "a", "Nope__c": "x"}, Kind.FIELD_MISSING, "INVALID_FIELD"),
        (
            {"LastName": "a", "Birthdate": "yesterday"},
            Kind.TYPE_MISMATCH,
            "INVALID_TYPE_ON_FIELD_IN_RECORD",
        ),
        ({"LastName": "a", "AccountId": "bogus"}, Kind.TYPE_MISMATCH, "MALFORMED_ID"),
        (
            {"LastName": "a", "AccountId": acc[:3] + "000000000000ZZZ"},
            Kind.ASSOCIATION_FAILED,
            "INVALID_CROSS_REFERENCE_KEY",
        ),
    ]
    out = a.create_many("Contact", [r for r, _, _ in cases])
    assert len(out) == len(cases)
    for (rec, kind, code), o in zip(cases, out, strict=True):
        assert (_kind(o), o.error.code) == (kind, code), rec
        assert o.error.remote == "salesforce"
    leads = a.create_many(
        "Lead",
        [
            {"LastName": "V", "Company": "C", "Title": "Bad"},
            {"LastName": "D", "Company": "C", "Email": "L@x.com"},
        ],
    )
    assert [_kind(o) for o in leads] == [Kind.VALIDATION_RULE, Kind.DUPLICATE_RULE]
    assert leads[0].error.message == "No bad titles"
    gone = a.create_many("Contact", [{"LastName": "gone"}])[0].id
    assert a.delete_many("Contact", [gone])[0].ok
    upd = a.update_many("Contact", [{"Id": gone, "LastName": "x"}])
    assert _kind(upd[0]) == Kind.RECORD_DELETED and upd[0].key == gone
    assert _kind(a.delete_many("Contact", [gone])[0]) == Kind.RECORD_DELETED


def test_record_lock_inside_a_batch_is_resent_alone(
    sf: SalesforceHandle, adapter: SalesforceAdapter
) -> None:
    sf.control.faults({"composite/*": {"record_lock": 1.0}}, times=1)
    before = adapter.calls
    out = adapter.upsert_many("Contact", EXT, people(3))
    assert all(o.ok for o in out) and adapter.calls - before == 2
    sf.control.faults({"composite/*": {"record_lock": 1.0}}, times=1)
    a0 = make(sf, max_retries=0)
    out = a0.upsert_many("Contact", EXT, people(2, start=10))
    assert _kind(out[0]) == Kind.RECORD_LOCKED and not out[0].error.permanent and out[1].ok


# ------------------------------------------------------------- request errors


def _raises(fn: object, *args: object) -> RemoteError:
    with pytest.raises(RemoteError) as info:
        fn(*args)  # type: ignore[operator]
    return info.value


def test_request_level_error_kinds(sf: SalesforceHandle) -> None:
    a = make(sf, max_retries=1)
    e = _raises(lambda: list(a.query("SELECT Nope FROM Contact")))
    assert (e.kind, e.code, e.status) == (Kind.FIELD_MISSING, "INVALID_FIELD", 400)
    e = _raises(lambda: list(a.query("SELECT Id FROM Nope")))
    assert e.kind == Kind.FIELD_MISSING
    e = _raises(lambda: list(a.query("SELECT FROM")))
    assert (e.kind, e.code) == (Kind.GENERIC, "MALFORMED_QUERY") and e.permanent
    e = _raises(a.poll, {"x": "SELECT Bad FROM Contact"})
    assert e.kind == Kind.FIELD_MISSING and e.record == "x"
    sf.control.faults({"*": {"500": 1.0}})
    e = _raises(a.limits)
    assert (e.kind, e.status) == (Kind.UNAVAILABLE, 500) and not e.permanent
    assert a.calls == 3 + 1 + 2  # three queries, one poll, 1 + 1 retry
    sf.control.clear_faults()
    sf.control.set_limits(daily_limit=used(sf))
    e = _raises(a.limits)
    assert (e.kind, e.code, e.status) == (Kind.SF_DAILY_LIMIT, "REQUEST_LIMIT_EXCEEDED", 403)
    assert a.calls == 7  # never retried
    sf.control.set_limits(daily_limit=100_000)
    sf.control.sessions(expire_all=True)
    e = _raises(a.limits)
    assert (e.kind, e.code) == (Kind.AUTH_EXPIRED, "INVALID_SESSION_ID") and e.permanent


def test_deleted_and_purged_log(sf: SalesforceHandle) -> None:
    a = make(sf)
    ids = sf.control.insert("Contact", [{"LastName": "a"}, {"LastName": "b"}])
    sf.control.delete("Contact", [ids[1]], at="2026-11-20T10:00:00Z")
    got = a.deleted(
        "Contact", datetime(2026, 11, 20, 9, tzinfo=UTC), datetime(2026, 11, 20, 11, tzinfo=UTC)
    )
    assert got == [(ids[1], datetime(2026, 11, 20, 10, tzinfo=UTC))]
    sf.control.purge_deleted("2026-11-20T12:00:00Z")
    e = _raises(
        a.deleted,
        "Contact",
        datetime(2026, 11, 20, 9, tzinfo=UTC),
        datetime(2026, 11, 21, tzinfo=UTC),
    )
    assert (e.kind, e.code, e.permanent) == (Kind.GENERIC, "INVALID_REPLICATION_DATE", True)
    assert a.all_ids("Contact") == {ids[0]}


# ------------------------------------------------------------------- retries


@pytest.mark.parametrize("fault", ["500", "503", "timeout", "lock"])
def test_transient_faults_are_retried(sf: SalesforceHandle, fault: str) -> None:
    sf.control.faults({"*": {fault: 1.0}}, times=2, timeout_seconds=0.6)
    a = make(sf, timeout=0.3)
    assert a.limits()["DailyApiRequests"]["Max"] == 100_000
    assert a.calls == 3 and used(sf) == 3


def test_retry_after_is_honoured(sf: SalesforceHandle) -> None:
    sf.control.faults({"*": {"429": 1.0}}, times=1, retry_after=0.3)
    a = make(sf)
    t = time.monotonic()
    a.limits()
    assert time.monotonic() - t >= 0.3 and a.calls == 2


def test_retries_are_bounded(sf: SalesforceHandle) -> None:
    sf.control.faults({"*": {"503": 1.0}})
    a = make(sf, max_retries=2)
    assert _raises(a.limits).kind == Kind.UNAVAILABLE
    assert a.calls == 3


def test_expired_session_is_refreshed_once(sf: SalesforceHandle) -> None:
    tok = oauth_tokens(sf)
    seen: list[str] = []
    a = SalesforceAdapter(
        SalesforceConfig(
            instance_url=tok["instance_url"],
            access_token=tok["access_token"],
            refresh_token=tok["refresh_token"],
            client_id=sf.client_id,
            client_secret=sf.client_secret,
            login_url=sf.login_url,
            ca_file=sf.ca_file,
            backoff_base=0.01,
        ),
        MemoryLedger(),
        on_token_refresh=seen.append,
    )
    list(a.query("SELECT Id FROM Contact"))
    sf.control.sessions(expire_all=True)
    assert list(a.query("SELECT Id FROM Contact")) == [[]]
    assert len(seen) == 1 and seen[0] != tok["access_token"]
    assert a.config.access_token == seen[0]
    assert a.userinfo()["preferred_username"] == sf.username
    sf.control.faults({"*": {"expired_session": 1.0}}, times=1)  # mid-run expiry
    assert a.limits()["DailyApiRequests"]["Max"] == 100_000 and len(seen) == 2
    a.config.refresh_token = "revoked"
    sf.control.sessions(expire_all=True)
    e = _raises(a.limits)
    assert (e.kind, e.code) == (Kind.AUTH_EXPIRED, "INVALID_SESSION_ID")


# -------------------------------------------------------------------- budget


def test_budget_exhausted_before_sending(sf: SalesforceHandle) -> None:
    ledger = MemoryLedger()
    a = make(sf, ledger, budget=Budget(ledger, allocated=2))
    a.limits()
    a.limits()
    before = used(sf)
    with pytest.raises(BudgetExhausted) as info:
        a.upsert_many("Contact", "Id", people(3))
    assert info.value.kind == Kind.ALLOCATION_REACHED and info.value.used == 2
    assert used(sf) == before and a.calls == 2 and ledger.count() == 2


# ----------------------------------------------------------------- the rest


def test_ensure_external_id_field_then_upsert(sf: SalesforceHandle) -> None:
    a = make(sf)
    assert a.ensure_external_id_field("Lead", EXT, "HubSpot Id") is True
    assert a.ensure_external_id_field("Lead", EXT, "HubSpot Id") is False
    f = next(f for f in a.describe("Lead")["fields"] if f["name"] == EXT)
    assert f["externalId"] and f["unique"]
    out = a.upsert_many("Lead", EXT, [{EXT: "h1", "LastName": "L", "Company": "C"}])
    assert out[0].ok and out[0].created


def test_get_many_converted_leads_userinfo(sf: SalesforceHandle) -> None:
    a = make(sf)
    ids = sf.control.insert(
        "Contact", [{"LastName": f"n{i}", "Email": f"e{i}@x.com"} for i in range(2500)]
    )
    rows = a.get_many("Contact", ids[:2100] + ["003000000000000AAA"], ["Email"])
    assert len(rows) == 2100 and rows[5] == {"Id": ids[5], "Email": "e5@x.com"}
    assert a.calls == 2
    leads = a.create_many(
        "Lead", [{"LastName": "A", "Company": "C"}, {"LastName": "B", "Company": "C"}]
    )
    conv = sf.control.convert_lead(leads[0].id)
    assert a.converted_leads([o.id for o in leads]) == {leads[0].id: conv["contact_id"]}
    assert a.userinfo()["user_id"].startswith("005")
    assert re.fullmatch(r"00D\w{15}", a.userinfo()["organization_id"])


def test_request_level_refusal_becomes_outcomes(
    sf: SalesforceHandle, adapter: SalesforceAdapter
) -> None:
    out = adapter.upsert_many("Contact", "Email", [{"Email": "a@x.com", "LastName": "a"}])
    assert _kind(out[0]) == Kind.FIELD_MISSING and out[0].error.code == "INVALID_FIELD"
    assert out[0].key == "a@x.com"
    lead = adapter.create_many("Lead", [{"LastName": "A", "Company": "C"}])[0].id
    sf.control.convert_lead(lead)
    upd = adapter.update_many("Lead", [{"Id": lead, "Title": "x"}])
    assert _kind(upd[0]) == Kind.INSUFFICIENT_ACCESS
    assert upd[0].error.code == "CANNOT_UPDATE_CONVERTED_LEAD"


def test_rate_limited_after_bounded_retries(sf: SalesforceHandle) -> None:
    sf.control.faults({"*": {"429": 1.0}}, retry_after=0)
    a = make(sf, max_retries=1)
    e = _raises(a.limits)
    assert (e.kind, e.status, e.permanent) == (Kind.RATE_LIMITED, 429, False)
    assert e.retry_after == 0 and a.calls == 2
