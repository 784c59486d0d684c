"""Import target (issue 13, FEATURES E4): prints figures, asserts nothing.

Run: .venv/bin/python tests/bench/bench_import.py [--people 100000] [--modes rest,bulk]

`manage.py import --object Contact` of N Salesforce contacts, a fifth of whom HubSpot already
has (matched by email, not duplicated), once per mode on fresh emulators: ``rest`` reads by
REST query pages (SYNC_BULK_THRESHOLD far above N), ``bulk`` with the default threshold
(one Bulk API 2.0 query job). For each: SF calls (in all and per endpoint, from the usage
ledger), HS calls, wall seconds, the import process's own peak RSS, and its counts.
Targets for 100,000 contacts: at most 20 SF calls (REST paging alone needs at least 50),
peak RSS <= 300 MB.

Uses PostgreSQL database `syncadmin_bench` (DATABASE_URL overrides), recreated every run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_sync import (  # noqa: E402 - the path above makes the sibling importable
    PY,
    ROOT,
    Sandbox,
    clients,
    connect,
    ensure_database,
    load,
    manage,
    stop_syncing,
)

# Runs `manage.py import` in this child and prints its own peak RSS (KB) last.
CHILD = ("import atexit, resource, runpy, sys; "
         "atexit.register(lambda: print('RSS_KB', "
         "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, flush=True)); "
         "sys.argv = ['manage.py', 'import', '--account', sys.argv[1], '--object', 'Contact']; "
         "runpy.run_path('manage.py', run_name='__main__')")


def endpoint_calls(name: str) -> dict[str, int]:
    code = ("import json; from django.db.models import Sum; "
            "from syncadmin.usage.models import ApiUsage; "
            "print(json.dumps({r['endpoint']: r['n'] for r in ApiUsage.objects.filter("
            f"account__name={name!r}, remote='salesforce').values('endpoint')"
            ".annotate(n=Sum('calls'))}))")
    return json.loads(manage("shell", "-c", code).strip().splitlines()[-1])


def one(mode: str, n: int) -> None:
    box = Sandbox()
    name = f"bench-import-{mode}"
    try:
        _, _, session = clients(box.info)
        both = n // 5
        load(box.info, session, n - both, 0, both)  # SF: n contacts; HubSpot: a fifth of them
        connect(box.dir, name)
        stop_syncing(name)  # the import is a job of its own; no poll runs meanwhile
        env = {"SYNC_BULK_THRESHOLD": str(10**9) if mode == "rest" else "10000",
               "SYNC_BULK_POLL_MS": "0"}
        t0 = time.perf_counter()
        out = subprocess.run([PY, "-c", CHILD, name], cwd=ROOT, text=True,  # noqa: S603
                             capture_output=True, env={**os.environ, **env})
        wall = time.perf_counter() - t0
        lines = out.stdout.strip().splitlines()
        if out.returncode or not lines:
            print(f"[{mode}] the import failed after {wall:.1f} s ({out.returncode}):\n"
                  f"{out.stdout[-1000:]}{out.stderr[-3000:]}")
            return
        rss_mb = int(lines[-1].split()[1]) // 1024
        result = json.loads(next(ln for ln in reversed(lines) if ln.startswith("{")))
        calls = Counter(endpoint_calls(name))
        print(f"[{mode}] import of {n:,} SF contacts ({both:,} already in HubSpot): "
              f"{result['sf_api_calls']} SF calls, {result['hs_api_calls']} HS calls, "
              f"{wall:.1f} s wall, peak RSS {rss_mb} MB; created {result['created']}, "
              f"updated {result['updated']}, failed {result['failed']}, "
              f"status {result['status']}", flush=True)
        print(f"[{mode}] SF calls by endpoint: {dict(calls.most_common())}", flush=True)
    finally:
        box.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--modes", default="rest,bulk")
    args = parser.parse_args()
    ensure_database()
    manage("migrate", "--noinput")
    for mode in args.modes.split(","):
        one(mode, args.people)
    print("targets (100,000 contacts): <= 20 SF calls (REST paging alone needs >= 50), "
          "peak RSS <= 300 MB")


if __name__ == "__main__":
    main()
