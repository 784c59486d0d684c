"""Every-object sync targets (issue "Every object syncs"): prints figures, asserts nothing.

Run: .venv/bin/python tests/bench/bench_objects.py [--scale 1.0]

Seeds both emulators (in their own process) with `manage.py sandbox`'s object options, turns
companies, deals and tickets on (`connect_sandbox --enable`), and runs `manage.py sync --full`
in a child process: wall time, peak RSS of the sync process, SF and HS calls; then the polls
that re-read the sync's own writes and an idle poll.

At --scale 1: 10,000 accounts + 10,000 HubSpot companies (20k companies), 20,000
opportunities + 20,000 deals (40k deals, two contact roles each), 2,000 cases + 1,000
tickets, and 100,000 people (`--contacts`, half per side) plus each account's contacts.
The call count of a smaller whole-org initial sync is asserted in
tests/sync/test_object_calls.py.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import resource  # noqa: E402
import time  # noqa: E402

from bench_sync import PY, ROOT, ensure_database, manage  # noqa: E402


def timed_sync(name: str, full: bool) -> tuple[dict, float, int]:
    """`manage.py sync` in a child (waiting out a lease left by an earlier, killed run):
    its JSON, wall seconds and the child's peak RSS in MB."""
    t0 = time.perf_counter()
    out = manage("sync", "--account", name, "--wait", "60", *(["--full"] if full else []))
    wall = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    return json.loads(out.strip().splitlines()[-1]), wall, peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    n = {k: str(int(v * args.scale)) for k, v in {
        "contacts": 100_000, "accounts": 10_000, "companies": 10_000,
        "opportunities": 20_000, "deals": 20_000, "cases": 2_000, "tickets": 1_000}.items()}
    ensure_database()
    manage("migrate", "--verbosity", "0")
    state = Path(tempfile.mkdtemp(prefix="bench-objects-"))
    proc = subprocess.Popen(  # noqa: S603
        [PY, "manage.py", "sandbox", "--sf-port", "0", "--hs-port", "0", "--state-dir",
         str(state), "--contact-roles-per-opportunity", "2",
         *(x for k, v in n.items() for x in (f"--{k}", v))],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        proc.stdout.readline()
        manage("connect_sandbox", "--account", "BenchObjects", "--state-dir", str(state),
               "--enable", "companies", "--enable", "deals", "--enable", "tickets")
        out, wall, rss = timed_sync("BenchObjects", full=True)
        print(json.dumps({"seeded": n}))
        print(f"initial sync: {wall:.1f} s wall, peak RSS {rss} MB, "
              f"{out['sf_api_calls']} SF calls, {out['hs_api_calls']} HS calls, "
              f"status {out['status']}")
        for key in ("contacts", "companies", "deals", "tickets"):
            print(f"  {key}: {json.dumps(out.get(key))}")
        for i in range(3):
            out, wall, _ = timed_sync("BenchObjects", full=False)
            print(f"poll {i + 1}: {out['sf_api_calls']} SF calls, {out['hs_api_calls']} HS "
                  f"calls, {wall:.1f} s")
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()
