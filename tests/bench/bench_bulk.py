"""Bulk API 2.0 target (issue 13): prints figures, asserts nothing.

Run: .venv/bin/python tests/bench/bench_bulk.py [--people 100000] [--modes rest,bulk]

An initial two-way sync of N people (half per side, 20 % of them on both, as bench_sync's),
once per mode on fresh emulators: ``rest`` with the bulk path off (SYNC_BULK_THRESHOLD far
above N: what the sync did before issue 13) and ``bulk`` with the default threshold. For each:
SF and HS calls, the SF calls per endpoint, wall seconds and the sync process's own peak RSS
(measured inside the child, so one run's peak does not hide the next's), and the CPU seconds
of the sync and of the emulators' process, steadier than wall time on a shared machine.
Targets for 100,000
people: at most 40 SF calls, wall time no worse than the REST path, peak RSS <= 300 MB.

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

# Runs `manage.py sync` in this child and prints its own peak RSS (KB) last.
CHILD = ("import atexit, resource, runpy, sys; "
         "u = lambda: resource.getrusage(resource.RUSAGE_SELF); "
         "atexit.register(lambda: print('RSS_KB', u().ru_maxrss, u().ru_utime + u().ru_stime, "
         "flush=True)); "
         "sys.argv = ['manage.py', 'sync', '--account', sys.argv[1], '--full']; "
         "runpy.run_path('manage.py', run_name='__main__')")


def endpoint_calls(name: str) -> dict[str, int]:
    code = ("import json; from django.db.models import Sum; "
            "from syncadmin.usage.models import ApiUsage; "
            "print(json.dumps({r['endpoint']: r['n'] for r in ApiUsage.objects.filter("
            f"account__name={name!r}, remote='salesforce').values('endpoint')"
            ".annotate(n=Sum('calls'))}))")
    return json.loads(manage("shell", "-c", code).strip().splitlines()[-1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (the emulators'), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one(mode: str, n: int) -> None:
    box = Sandbox()
    name = f"bench-bulk-{mode}"
    try:
        _, _, session = clients(box.info)
        half, overlap = n // 2, n // 5
        load(box.info, session, half - overlap // 2, half - overlap // 2, overlap // 2)
        connect(box.dir, name)
        env = {"SYNC_BULK_THRESHOLD": str(10**9) if mode == "rest" else "10000",
               "SYNC_BULK_POLL_MS": "0"}
        emulators = cpu_seconds(box.proc.pid)
        t0 = time.perf_counter()
        out = subprocess.run([PY, "-c", CHILD, name], cwd=ROOT, text=True,  # noqa: S603
                             capture_output=True, env={**os.environ, **env})
        wall = time.perf_counter() - t0
        emulators = cpu_seconds(box.proc.pid) - emulators
        if out.returncode:
            print(f"[{mode}] the sync failed after {wall:.1f} s:\n{out.stderr[-3000:]}")
            return
        lines = out.stdout.strip().splitlines()
        rss_line = next(ln for ln in lines if ln.startswith("RSS_KB")).split()
        rss_mb, cpu = int(rss_line[1]) // 1024, float(rss_line[2])
        result = json.loads(next(ln for ln in reversed(lines) if ln.startswith("{")))
        c = result["contacts"]
        calls = Counter(endpoint_calls(name))
        print(f"[{mode}] initial sync of {n:,} people: {result['sf_api_calls']} SF calls, "
              f"{result['hs_api_calls']} HS calls, {wall:.1f} s wall (CPU: sync {cpu:.1f} s, "
              f"emulators {emulators:.1f} s), peak RSS {rss_mb} MB; "
              f"to HS created {c['to_hs']['created']}, to SF created "
              f"{c['to_sf']['created']}, updated {c['to_sf']['updated']}, failed "
              f"{c['to_sf']['failed'] + c['to_hs']['failed']}", flush=True)
        print(f"[{mode}] SF calls by endpoint: {dict(calls.most_common())}", flush=True)
    finally:
        stop_syncing(name)
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
    print("targets (100,000 people): <= 40 SF calls, wall no worse than rest, <= 300 MB")


if __name__ == "__main__":
    main()
