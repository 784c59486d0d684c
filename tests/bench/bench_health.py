"""Sync Health benchmark: server time and query counts at production-like volumes.

    .venv/bin/python tests/bench/bench_health.py [--errors 100000] [--usage 1000000]

Sets Django up itself on DATABASE_URL (default: a separate syncadmin_bench database, created
when missing), migrates, loads one account with N current errors over 10 kinds and M per-minute
API usage rows over 7 days (COPY), times 50 requests per page through django.test.Client and
prints p50/p95/max and the query count of each page, then deletes its data.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/syncadmin_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "syncadmin.settings")

KINDS = ["invalid_email", "value_too_long", "picklist_value", "required_field",
         "validation_rule", "duplicate_rule", "insufficient_access", "record_deleted",
         "field_missing", "type_mismatch"]
OBJECTS = ["contacts", "companies", "deals", "tickets"]


class QueryCounter:
    def __init__(self) -> None:
        self.n = 0

    def __call__(self, execute, sql, params, many, context):  # noqa: ANN001
        self.n += 1
        return execute(sql, params, many, context)


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def load(account_id: int, n_errors: int, n_usage: int, n_links: int) -> None:
    from django.db import connection

    now = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    statuses = ["in_sync"] * 14 + ["failed", "excluded", "deleted_hs", "deleted_sf"]
    reasons = ["no_email", "invalid_email", "duplicate_email", "filtered"]
    with connection.cursor() as cur:
        raw = cur.cursor
        t = time.perf_counter()
        with raw.copy(
            "COPY sync_recordlink (account_id, object, hs_id, sf_object, sf_id, email, label,"
            " status, excluded_reason, snapshot, created_at, updated_at) FROM STDIN"
        ) as copy:
            for i in range(n_links):
                status = statuses[i % len(statuses)]
                copy.write_row((
                    account_id, OBJECTS[i % 4], f"{i}", "Contact", f"003B{i:014d}",
                    f"p{i}@example.com", f"Person {i}", status,
                    reasons[i % 4] if status == "excluded" else "", "{}",
                    now, now - dt.timedelta(minutes=i % 50000),
                ))
        cur.execute("SELECT min(id) FROM sync_recordlink WHERE account_id = %s", [account_id])
        first_link = cur.fetchone()[0]
        print(f"  {n_links:,} record links in {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        # Errors: link i gets kind i % 10, and every third link a second kind too (overlaps).
        with raw.copy(
            "COPY sync_syncerror (account_id, link_id, object, kind, direction, record_label,"
            " hs_id, sf_id, code, message, first_seen, last_seen, occurrences) FROM STDIN"
        ) as copy:
            made, i = 0, 0
            while made < n_errors:
                kinds = [KINDS[i % 10]] + ([KINDS[(i + 3) % 10]] if i % 3 == 0 else [])
                for kind in kinds[: n_errors - made]:
                    copy.write_row((
                        account_id, first_link + i, OBJECTS[i % 4], kind, "to_sf",
                        f"Person {i}", f"{i}", f"003B{i:014d}", "FIELD_CUSTOM_VALIDATION",
                        "Remote says no", now - dt.timedelta(hours=i % 100), now, 1,
                    ))
                    made += 1
                i += 1
        print(f"  {n_errors:,} current errors on {i:,} records in {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        endpoints = max(1, -(-n_usage // (7 * 24 * 60)))
        with raw.copy(
            "COPY health_apiusage (account_id, remote, endpoint, minute, calls) FROM STDIN"
        ) as copy:
            made, m = 0, 0
            while made < n_usage:
                minute = now - dt.timedelta(minutes=m)
                for e in range(min(endpoints, n_usage - made)):
                    remote = "hubspot" if e % 10 == 9 else "salesforce"
                    copy.write_row((account_id, remote, f"/services/data/v60.0/e{e}", minute,
                                    1 + (m + e) % 7))
                made += endpoints
                m += 1
        print(f"  {n_usage:,} API usage rows ({endpoints} endpoints × {m:,} minutes) "
              f"in {time.perf_counter() - t:.1f} s")
        # The hourly rollup DbLedger.record keeps next to every minute bucket (one upsert per
        # call); COPY bypasses the ledger, so derive it from the same rows here.
        cur.execute(
            "INSERT INTO health_apiusagehour (account_id, remote, hour, calls) "
            "SELECT account_id, remote, date_trunc('hour', minute), sum(calls) "
            "FROM health_apiusage WHERE account_id = %s GROUP BY 1, 2, 3", [account_id])
    with connection.cursor() as cur:
        for table in ("sync_recordlink", "sync_syncerror", "health_apiusage",
                      "health_apiusagehour"):
            cur.execute(f"VACUUM ANALYZE {table}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--errors", type=int, default=100_000)
    parser.add_argument("--usage", type=int, default=1_000_000)
    parser.add_argument("--links", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="keep the data (for EXPLAIN)")
    args = parser.parse_args()

    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from syncadmin.accounts.models import Account, Membership
    from syncadmin.usage.models import OrgLimit

    call_command("migrate", verbosity=0)
    stamp = f"{time.time():.0f}"
    account = Account.objects.create(name=f"bench-{stamp}", sf_instance_url="https://x.my.sf.com",
                                     hubspot_portal_id="123")
    user = get_user_model().objects.create_user(f"bench-{stamp}", password="bench-pw-1")
    Membership.objects.create(user=user, account=account, role="admin")
    OrgLimit.objects.create(account=account, used=12_000, max=100_000)
    try:
        print(f"loading into {connection.settings_dict['NAME']} …")
        load(account.pk, args.errors, args.usage, args.links)
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        pages = [
            ("Sync Health", reverse("health:dashboard", args=[account.pk]), {}),
            ("Sync Health 7 days", reverse("health:dashboard", args=[account.pk]) + "?range=7d",
             {}),
            ("error cards (poll)", reverse("health:cards", args=[account.pk]), {}),
            ("error panel", reverse("health:errors", args=[account.pk, "validation_rule"]),
             {"HTTP_HX_REQUEST": "true"}),
            ("object view", reverse("health:objects", args=[account.pk]), {}),
            ("record view", reverse("health:records", args=[account.pk]), {}),
            ("record view failed",
             reverse("health:records", args=[account.pk]) + "?status=failed&object=contacts", {}),
        ]
        print(f"\n{'page':22} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>8}")
        for label, url, headers in pages:
            counter = QueryCounter()
            with connection.execute_wrapper(counter):
                response = client.get(url, **headers)
            assert response.status_code == 200, (url, response.status_code)
            times = []
            for _ in range(args.requests):
                t = time.perf_counter()
                response = client.get(url, **headers)
                times.append((time.perf_counter() - t) * 1000)
                assert response.status_code == 200
            times.sort()
            p95 = times[max(0, round(0.95 * len(times)) - 1)]
            print(f"{label:22} {statistics.median(times):8.1f} {p95:8.1f} {times[-1]:8.1f} "
                  f"{counter.n:8d}")
    finally:
        cleanup(account, user, keep=args.keep)


def cleanup(account, user, keep: bool) -> None:
    from django.db import connection

    if keep:
        print(f"kept account {account.pk}")
        return
    with connection.cursor() as cur:
        for table in ("sync_syncerror", "health_apiusage", "health_apiusagehour",
                      "sync_recordlink"):
            cur.execute(f"DELETE FROM {table} WHERE account_id = %s", [account.pk])
    # audit.log's post_delete receiver writes an AuditEntry for each cascaded
    # settings row while the account is being deleted (FK violation at commit): mute it.
    from django.db.models.signals import post_delete

    from syncadmin.audit import log as audit

    post_delete.disconnect(audit._audit_delete)
    account.delete()
    user.delete()
    print("\nbench data deleted")


if __name__ == "__main__":
    main()
