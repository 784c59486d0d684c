"""HubSpot emulator latency at 100,000 contacts, through hubspot-api-client over HTTPS.

Run: .venv/bin/python tests/bench/bench_hs_emulator.py [records] [rounds]
Prints p50/p95 in milliseconds per endpoint (each figure includes a fresh TLS handshake: the
werkzeug server closes every connection).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from hubspot.crm.contacts import (  # noqa: E402
    BatchInputSimplePublicObjectBatchInputUpsert,
    BatchReadInputSimplePublicObjectId,
    PublicObjectSearchRequest,
)

from connectors.hubspot import make_client  # noqa: E402
from connectors.sandbox.hubspot import start_hubspot  # noqa: E402
from connectors.sandbox.server import LocalCA  # noqa: E402

BASE = 1_767_225_600_000


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p * (len(xs) - 1))))]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    h = start_hubspot(LocalCA())
    t0 = time.perf_counter()
    h.app.load({"contacts": [{"email": f"c{i}@bench.example", "firstname": f"F{i}",
                              "lifecyclestage": "lead", "lastmodifieddate": BASE + i * 1000}
                             for i in range(n)]})
    print(f"loaded {n} contacts in {time.perf_counter() - t0:.1f} s")
    h.control.limits(ten_secondly=10**9, daily=10**9)
    c = make_client(h.url, h.token, h.ca_file)
    timings: dict[str, list[float]] = {}

    def timed(name: str, fn) -> None:  # type: ignore[no-untyped-def]
        t = time.perf_counter()
        fn()
        timings.setdefault(name, []).append((time.perf_counter() - t) * 1000)

    sorts = [{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}]
    for r in range(rounds):
        since = BASE + (r * 997 % n) * 1000
        timed("search changed-since page of 200", lambda s=since: c.crm.contacts.search_api
              .do_search(PublicObjectSearchRequest(
                  filter_groups=[{"filters": [{"propertyName": "lastmodifieddate",
                                               "operator": "GT", "value": str(s)}]}],
                  sorts=sorts, properties=["email", "firstname"], limit=200)))
        emails = [f"c{(r * 100 + j) % n}@bench.example" for j in range(100)]
        timed("search email IN (100 values)", lambda e=emails: c.crm.contacts.search_api
              .do_search(PublicObjectSearchRequest(
                  filter_groups=[{"filters": [{"propertyName": "email", "operator": "IN",
                                               "values": e}]}], limit=100)))
        timed("batch upsert 100 (by email, 50 new)", lambda r=r: c.crm.contacts.batch_api
              .upsert(BatchInputSimplePublicObjectBatchInputUpsert(inputs=[
                  {"idProperty": "email",
                   "id": f"c{(r * 50 + j) % n}@bench.example" if j % 2 else
                   f"new{r}-{j}@bench.example",
                   "properties": {"firstname": f"R{r}"}} for j in range(100)])))
        timed("batch read 100", lambda e=emails: c.crm.contacts.batch_api.read(
            BatchReadInputSimplePublicObjectId(inputs=[{"id": x} for x in e],
                                               id_property="email", properties=["firstname"],
                                               properties_with_history=[])))
        timed("get by id", lambda: c.crm.contacts.basic_api.get_by_id("1001"))
        timed("list page of 100", lambda r=r: c.crm.contacts.basic_api.get_page(
            limit=100, after=str(1000 + r * 1000)))
        if r < 5:
            timed("search firstname EQ (full scan)", lambda: c.crm.contacts.search_api
                  .do_search(PublicObjectSearchRequest(
                      filter_groups=[{"filters": [{"propertyName": "firstname",
                                                   "operator": "EQ", "value": "F77"}]}])))
    print(f"{'endpoint':45s} {'n':>4s} {'p50 ms':>8s} {'p95 ms':>8s}")
    for name, xs in timings.items():
        print(f"{name:45s} {len(xs):4d} {statistics.median(xs):8.1f} {pct(xs, 0.95):8.1f}")
    h.stop()


if __name__ == "__main__":
    main()
