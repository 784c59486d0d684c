"""Benchmark the Salesforce emulator at 100,000 records (a plain script, not a test).

    .venv/bin/python tests/bench/bench_sf_emulator.py [--records 100000] [--runs 40]

Prints p50/p95 per endpoint in milliseconds, measured through simple-salesforce over HTTPS
(so TLS, HTTP and JSON costs are included).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import requests
from simple_salesforce import Salesforce

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from connectors.sandbox.salesforce import start_salesforce  # noqa: E402
from connectors.sandbox.seed import generate  # noqa: E402
from connectors.sandbox.server import LocalCA  # noqa: E402
from tests.sandbox.sf_helpers import create_hubspot_id_field  # noqa: E402


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=40)
    a = ap.parse_args()

    t = time.perf_counter()
    generate(1, a.records)
    print(f"seed.generate(1, {a.records}): {(time.perf_counter() - t) * 1000:.0f} ms")

    ca = LocalCA()
    ca_file = ca.write_ca(Path(tempfile.mkdtemp()) / "ca.pem")
    h = start_salesforce(ca, ca_file=ca_file, daily_limit=10_000_000)
    s = requests.Session()
    s.verify = str(ca_file)
    s.trust_env = False
    sf = Salesforce(instance_url=h.url, session_id=h.session_id, session=s)
    create_hubspot_id_field(sf)
    t = time.perf_counter()
    with h.org.lock:
        for i in range(a.records):
            h.org.raw_insert(
                "Contact",
                {
                    "FirstName": "Bench",
                    "LastName": f"Person {i}",
                    "Email": f"p{i}@bench.example",
                    "HubSpot_Id__c": f"hs-{i}",
                    "MailingCountry": "Italy",
                },
            )
    print(f"load {a.records} contacts: {(time.perf_counter() - t) * 1000:.0f} ms")

    counter = iter(range(10**9))

    def upsert200() -> None:
        n = next(counter)
        recs = []
        for j in range(200):
            k = (n * 200 + j) % (a.records * 2)  # half updates, half creates over time
            recs.append(
                {
                    "attributes": {"type": "Contact"},
                    "HubSpot_Id__c": f"hs-{k}",
                    "LastName": f"Upserted {n}",
                    "Email": f"u{k}@bench.example",
                }
            )
        res = sf.restful(
            "composite/sobjects/Contact/HubSpot_Id__c",
            method="PATCH",
            json={"allOrNone": False, "records": recs},
        )
        assert all(r["success"] for r in res), res[:2]

    first = sf.query("SELECT Id, FirstName, LastName, Email, SystemModstamp FROM Contact")
    more_url = first["nextRecordsUrl"]
    mid = h.org.stamps["Contact"][a.records // 2][0]
    rid = first["records"][10]["Id"]
    rows = [
        (
            "query page 2000 (no WHERE)",
            lambda: sf.query("SELECT Id, FirstName, LastName, Email, SystemModstamp FROM Contact"),
        ),
        ("query_more page 2000", lambda: sf.query_more(more_url, identifier_is_url=True)),
        (
            "changed window page 2000",
            lambda: sf.query(
                "SELECT Id, LastName, Email, SystemModstamp FROM Contact WHERE SystemModstamp > "
                f"{mid[:19]}Z ORDER BY SystemModstamp, Id"
            ),
        ),
        (
            "query WHERE LastName LIKE (full scan)",
            lambda: sf.query("SELECT Id FROM Contact WHERE LastName LIKE 'Person 9999%'"),
        ),
        (
            "query WHERE Email IN (email index)",
            lambda: sf.query(
                "SELECT Id FROM Contact WHERE Email IN ('p5@bench.example','p99999@bench.example')"
            ),
        ),
        ("composite upsert 200", upsert200),
        ("GET record", lambda: sf.Contact.get(rid)),
        ("describe Contact", lambda: sf.Contact.describe()),
        (
            "composite 2 queries (idle poll)",
            lambda: sf.restful(
                "composite",
                method="POST",
                json={
                    "compositeRequest": [
                        {
                            "method": "GET",
                            "referenceId": "c",
                            "url": "/services/data/v59.0/query/?q="
                            "SELECT+Id+FROM+Contact+WHERE+SystemModstamp+>+2099-01-01T00:00:00Z",
                        },
                        {
                            "method": "GET",
                            "referenceId": "l",
                            "url": "/services/data/v59.0/query/?q="
                            "SELECT+Id+FROM+Lead+WHERE+SystemModstamp+>+2099-01-01T00:00:00Z",
                        },
                    ]
                },
            ),
        ),
        ("limits", lambda: sf.limits()),
    ]
    print(f"{'endpoint':40} {'p50 ms':>8} {'p95 ms':>8}")
    for name, fn in rows:
        p50, p95 = timed(fn, a.runs)
        print(f"{name:40} {p50:8.1f} {p95:8.1f}")
    h.stop()


if __name__ == "__main__":
    main()
