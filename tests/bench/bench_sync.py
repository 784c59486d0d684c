"""Sync engine targets (issue "Sync engine"): prints figures, asserts nothing.

Run: .venv/bin/python tests/bench/bench_sync.py [--people 100000] [--naive 5000] [--changes 20]

1. SF API calls for an initial two-way sync of 1,000 people (500 SF only, 300 HS only,
   200 on both by email), and for an idle poll.
2. Initial sync of N people (half per side, 20 % on both): wall time and the sync process's
   peak RSS, emulators running in their own process; the same records pushed by a naive
   per-record simple-salesforce script (a sample), and the ratio of per-record times.
3. Change propagation with a real worker and beat at the sandbox poll interval: p50/p95
   seconds from a change on one side to seeing it on the other.

Uses PostgreSQL database `syncadmin_bench` (DATABASE_URL overrides), created if missing.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
DB_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/syncadmin_bench")
os.environ["DATABASE_URL"] = DB_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "syncadmin.settings")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/9")
PY = sys.executable


def ensure_database() -> None:
    import psycopg

    name = DB_URL.rsplit("/", 1)[1]
    admin = DB_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:  # a fresh database every run
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def manage(*args: str, env: dict[str, str] | None = None) -> str:
    out = subprocess.run([PY, "manage.py", *args], cwd=ROOT, check=False, text=True,  # noqa: S603
                         capture_output=True, env={**os.environ, **(env or {})})
    if out.returncode:  # say why before failing: the command's JSON and its traceback
        print(out.stdout[-2000:], out.stderr[-4000:], sep="\n", file=sys.stderr)
        out.check_returncode()
    return out.stdout


class Sandbox:
    """Both emulators in their own process, so the sync's memory is measured alone."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="bench-sandbox-"))
        self.proc = subprocess.Popen(  # noqa: S603
            [PY, "manage.py", "sandbox", "--contacts", "0", "--sf-port", "0", "--hs-port", "0",
             "--state-dir", str(self.dir)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.info = json.loads(self.proc.stdout.readline())

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def clients(info: dict):
    import requests
    from simple_salesforce import Salesforce

    from connectors.hubspot import make_client

    session = requests.Session()
    session.verify, session.trust_env = info["ca"], False
    sf = Salesforce(instance_url=info["salesforce"], session_id=info["sf_session_id"],
                    session=session)
    return sf, make_client(info["hubspot"], info["hs_token"], info["ca"]), session


def control(session, info: dict, side: str, path: str, body: dict) -> dict:
    base = info["salesforce"] if side == "sf" else info["hubspot"]
    r = session.post(f"{base}/__sandbox/{path}", json=body, timeout=600)
    r.raise_for_status()
    return r.json()


def people(prefix: str, n: int) -> list[dict]:
    return [{"FirstName": f"{prefix}{i}", "LastName": f"Person{i}",
             "Email": f"{prefix.lower()}{i}@bench.example"} for i in range(n)]


def load(info: dict, session, sf_only: int, hs_only: int, both: int) -> None:
    shared = people("Both", both)
    sf_people = people("Sf", sf_only) + shared
    for start in range(0, len(sf_people), 10_000):
        control(session, info, "sf", "records",
                {"object": "Contact", "records": sf_people[start:start + 10_000]})
    hs_people = [{"email": p["Email"], "firstname": p["FirstName"], "lastname": p["LastName"]}
                 for p in people("Hs", hs_only) + shared]
    for start in range(0, len(hs_people), 10_000):
        control(session, info, "hs", "load", {"contacts": hs_people[start:start + 10_000]})


def connect(state_dir: Path, name: str) -> None:
    manage("connect_sandbox", "--account", name, "--state-dir", str(state_dir))


def stop_syncing(name: str) -> None:
    """Beat polls every account with sync on: leave only the live benchmark's on."""
    manage("shell", "-c", "from syncadmin.accounts.models import Account; "
           f"Account.objects.filter(name={name!r}).update(sync_enabled=False)")


def timed_sync(name: str, full: bool) -> tuple[dict, float, int]:
    """Runs `manage.py sync` in a child; returns its JSON, wall seconds and peak RSS (MB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    out = manage("sync", "--account", name, *(["--full"] if full else []))
    wall = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return json.loads(out.strip().splitlines()[-1]), wall, max(peak, before) // 1024


def calls_for_1000() -> None:
    box = Sandbox()
    try:
        _, _, session = clients(box.info)
        load(box.info, session, 500, 300, 200)
        connect(box.dir, "bench-1000")
        result, wall, _ = timed_sync("bench-1000", full=True)
        idle, _, _ = timed_sync("bench-1000", full=False)
        idle2, _, _ = timed_sync("bench-1000", full=False)
        print(f"initial two-way sync of 1,000 people: {result['sf_api_calls']} SF calls, "
              f"{result['hs_api_calls']} HS calls, {wall:.1f} s "
              f"(target <= 10 SF calls; HubSpot's integration: up to 4 per record)")
        print(f"idle poll: {idle2['sf_api_calls']} SF call(s), {idle2['hs_api_calls']} HS "
              f"call(s) (first poll after the initial sync: {idle['sf_api_calls']} SF)")
    finally:
        stop_syncing("bench-1000")
        box.stop()


def big_sync(n: int, naive_sample: int) -> None:
    box = Sandbox()
    try:
        sf, _, session = clients(box.info)
        half, overlap = n // 2, n // 5
        t0 = time.perf_counter()
        load(box.info, session, half - overlap // 2, half - overlap // 2, overlap // 2)
        print(f"loaded {n:,} people into the emulators in {time.perf_counter() - t0:.1f} s")
        connect(box.dir, "bench-big")
        result, wall, rss = timed_sync("bench-big", full=True)
        c = result["contacts"]
        print(f"initial sync of {n:,} people: {wall:.1f} s wall, peak RSS {rss} MB, "
              f"{result['sf_api_calls']} SF calls, {result['hs_api_calls']} HS calls; "
              f"to HS created {c['to_hs']['created']}, to SF created {c['to_sf']['created']} "
              f"(targets: <= 120 s, <= 300 MB)")
        moved = c["to_hs"]["created"] + c["to_sf"]["created"] + c["to_sf"]["updated"]
        ours = wall / max(1, moved)
        sample = people("Naive", naive_sample)
        t0 = time.perf_counter()
        for person in sample:
            sf.Lead.create({**person, "Company": "Naive"})
        naive = (time.perf_counter() - t0) / naive_sample
        print(f"naive per-record simple-salesforce script, {naive_sample:,} creates: "
              f"{naive * 1000:.2f} ms and 1 SF call per record; this sync: "
              f"{ours * 1000:.3f} ms per record written -> {naive / ours:.0f}x faster, "
              f"{naive_sample / max(1, result['sf_api_calls']) * moved / naive_sample:.0f}x "
              f"fewer SF calls per record")
    finally:
        stop_syncing("bench-big")
        box.stop()


def propagation(changes: int) -> None:
    box = Sandbox()
    procs: list[subprocess.Popen] = []
    try:
        sf, hs, session = clients(box.info)
        load(box.info, session, 20, 20, 10)
        connect(box.dir, "bench-live")
        timed_sync("bench-live", full=True)
        env = {**os.environ, "SYNC_POLL_SECONDS": "2",
               "REMOTE_CA_FILE": box.info["ca"]}
        for args in (["worker", "-l", "warning", "-c", "2"],
                     ["beat", "-l", "warning", "-s", str(box.dir / "beat")]):
            procs.append(subprocess.Popen([PY, "-m", "celery", "-A", "syncadmin", *args],  # noqa: S603
                                          cwd=ROOT, env=env))
        time.sleep(4)
        contact = sf.query("SELECT Id, Email FROM Contact WHERE Email LIKE 'both%' LIMIT 1")[
            "records"][0]
        hs_id = hs.crm.contacts.basic_api.get_by_id(
            contact["Email"], id_property="email").id
        print(f"propagation: contact {contact['Id']} / {hs_id}", flush=True)
        delays = []
        for i in range(changes):
            if i % 2 == 0:  # Salesforce -> HubSpot
                title = f"Title {i}"
                sf.Contact.update(contact["Id"], {"Title": title})
                t0 = time.perf_counter()
                # Polled gently: HubSpot's ten-second limit is shared with the sync itself.
                while hs.crm.contacts.basic_api.get_by_id(
                        hs_id, properties=["jobtitle"]).properties.get("jobtitle") != title:
                    time.sleep(0.25)
            else:  # HubSpot -> Salesforce: a new contact becomes a lead
                email = f"new{i}@bench.example"
                hs.crm.contacts.basic_api.create({"properties": {
                    "email": email, "lastname": f"New{i}"}})
                t0 = time.perf_counter()
                while not sf.query(f"SELECT Id FROM Lead WHERE Email = '{email}'")["records"]:
                    time.sleep(0.25)
            delays.append(time.perf_counter() - t0)
            print(f"  change {i}: {delays[-1]:.1f} s", flush=True)
        delays.sort()
        p95 = delays[min(len(delays) - 1, round(0.95 * (len(delays) - 1)))]
        print(f"change propagation over {changes} changes (both directions, poll every 2 s): "
              f"p50 {statistics.median(delays):.1f} s, p95 {p95:.1f} s (target p95 <= 10 s)")
    finally:
        for p in procs:
            p.terminate()
            p.wait(15)
        stop_syncing("bench-live")
        box.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--naive", type=int, default=5_000)
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--only", choices=["calls", "propagation", "big"])
    args = parser.parse_args()
    ensure_database()
    manage("migrate", "--noinput")
    if args.only in (None, "calls"):
        calls_for_1000()
    if args.only in (None, "propagation"):
        propagation(args.changes)
    if args.only in (None, "big"):
        big_sync(args.people, args.naive)


if __name__ == "__main__":
    main()
