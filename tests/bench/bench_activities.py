"""Activity sync targets (issue 14): prints figures, asserts nothing.

Run: .venv/bin/python tests/bench/bench_activities.py [--events 10000] [--contacts 200]

Both emulators run in their own process (`manage.py sandbox`); an account is connected with
`connect_sandbox --enable timeline:marketing_email_opened`, its contacts synced, then
N marketing email opens are written through the HubSpot emulator's control API and one
`manage.py sync` applies them as Salesforce tasks. Prints the SF API calls per 1,000 events
(target ≤ 6, asserted in tests/sync/test_activities_crash.py) and the wall time of that
sync (target ≤ 30 s for 10,000 events; it includes the child process's start-up).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_sync import PY, ROOT, ensure_database, manage  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--contacts", type=int, default=200)
    args = parser.parse_args()
    ensure_database()
    manage("migrate", "--verbosity", "0")
    state = Path(tempfile.mkdtemp(prefix="bench-activities-"))
    proc = subprocess.Popen(  # noqa: S603
        [PY, "manage.py", "sandbox", "--contacts", "0", "--sf-port", "0", "--hs-port", "0",
         "--state-dir", str(state)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        info = json.loads(proc.stdout.readline())
        from connectors.sandbox.hs_control import Control

        hs = Control(info["hubspot"], info["ca"])
        hs.limits(ten_secondly=1_000_000)
        emails = [f"bench{i}@example.com" for i in range(args.contacts)]
        hs.load({"contacts": [{"email": e, "lastname": f"B{i}"} for i, e in enumerate(emails)]})
        manage("connect_sandbox", "--account", "bench", "--state-dir", str(state),
               "--enable", "timeline:marketing_email_opened")
        manage("sync", "--account", "bench", "--full")
        idle = json.loads(manage("sync", "--account", "bench").strip().splitlines()[-1])
        start = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
        for base in range(0, args.events, 5_000):
            hs.email_events([
                {"type": "OPEN", "recipient": emails[i % len(emails)],
                 "created": int((start + dt.timedelta(milliseconds=i)).timestamp() * 1000)}
                for i in range(base, min(base + 5_000, args.events))])
        t0 = time.perf_counter()
        out = json.loads(manage("sync", "--account", "bench").strip().splitlines()[-1])
        wall = time.perf_counter() - t0
        created = out["activities"]["to_sf"]["created"]
        calls = out["sf_api_calls"] - idle["sf_api_calls"]
        print(f"events applied as tasks:          {created:,} of {args.events:,}")
        print(f"SF API calls for them:            {calls} (idle poll: {idle['sf_api_calls']})")
        print(f"SF API calls per 1,000 events:    {calls * 1000 / max(created, 1):.2f}"
              "  (target <= 6)")
        print(f"sync wall time:                   {wall:.1f} s (engine {out['seconds']:.1f} s;"
              " target <= 30 s)")
        print(f"HubSpot API calls:                {out['hs_api_calls']}")
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()
