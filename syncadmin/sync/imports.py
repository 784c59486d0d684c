"""Import (FEATURES E4): every existing record of one Salesforce object, into HubSpot.

A one-off job, Salesforce → HubSpot, recorded as a SyncRun of kind `import` and run under the
account's sync lock like any other job (`service.run_job`). Records are read in Id order
past a cursor (`params["cursor"]`, the last Id committed) and applied a chunk at a time by
`pipeline.import_page`; after each chunk its links, the cursor, the counts and the progress
are saved together. A killed worker's job is redelivered with the same run and goes on
from the cursor; the chunk it was in the middle of is done again, and since HubSpot writes
are upserts (by email, by `salesforce_id`) that duplicates nothing.

The admin may cancel (`params["cancel"]`): the job stops after the chunk it is in. The
Salesforce allocation stops it too (`BudgetExhausted`): the run is paused with the reason,
and can be started again from its cursor by queueing the same run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from connectors.errors import BudgetExhausted, Kind
from connectors.salesforce import after_id_soql
from syncadmin.accounts.models import Account
from syncadmin.integration.models import ObjectSync
from syncadmin.sync import objects
from syncadmin.sync.models import RunStatus, SyncRun
from syncadmin.sync.pipeline import custom
from syncadmin.sync.pipeline.commit import clear_account_error, record_account_error
from syncadmin.sync.pipeline.import_page import ContactImporter, ObjectImporter
from syncadmin.sync.pipeline.run import AccountSync, RunResult
from syncadmin.sync.pipeline.types import Counts, ObjectResult
from syncadmin.sync.service import run_job

# The standard objects an import offers: Salesforce object → registry key.
STANDARD = {"Contact": "contacts", "Lead": "contacts", "Account": "companies",
            "Opportunity": "deals", "Case": "tickets"}
# Converted leads are their contact now: only the others are imported.
ONLY = {"Lead": {"IsConverted": False}}
# Records applied and committed at a time (a REST query page): the cursor moves after each,
# so a killed worker redoes at most this many, and a cancel waits for at most this many.
CHUNK = 2_000
# Stopped before the end, by the allocation or an error: it can go on from its cursor.
RESUMABLE = (RunStatus.PAUSED, RunStatus.FAILED)


def key_of(account: Account, sf_object: str) -> str | None:
    """The registry key an import of `sf_object` writes links under, or None when the
    account cannot import it (not a standard object, not one of its custom objects)."""
    if sf_object in STANDARD:
        return STANDARD[sf_object]
    if ObjectSync.objects.filter(account=account, object="custom",
                                 sf_object=sf_object).exists():
        return objects.custom.key_for(sf_object)
    return None


def importable(account: Account) -> list[tuple[str, str]]:
    """(Salesforce API name, label) of every object the account can import: the standard
    ones, then the custom objects added on its Custom objects tab."""
    out = [("Contact", str(_("Contacts"))), ("Lead", str(_("Leads"))),
           ("Account", str(_("Accounts (as companies)"))),
           ("Opportunity", str(_("Opportunities (as deals)"))),
           ("Case", str(_("Cases (as tickets)")))]
    out += [(n, n) for n in ObjectSync.objects.filter(account=account, object="custom")
            .exclude(sf_object="").order_by("sf_object").values_list("sf_object", flat=True)]
    return out


def new_run(account: Account, sf_object: str) -> SyncRun:
    return SyncRun.objects.create(account=account, kind=SyncRun.Kind.IMPORT,
                                  status=RunStatus.QUEUED,
                                  params={"object": sf_object, "cursor": "", "cancel": False})


def request_cancel(run: SyncRun) -> bool:
    """Asks a queued or running import to stop; False when it has already finished. A
    queued one is cancelled at once; a running one stops after its current chunk."""
    with transaction.atomic():
        row = SyncRun.objects.select_for_update().get(pk=run.pk)
        if row.finished_at and row.status != RunStatus.SKIPPED:
            return False
        row.params = {**row.params, "cancel": True}
        fields = ["params"]
        if row.status in (RunStatus.QUEUED, RunStatus.SKIPPED):
            row.status, row.finished_at = RunStatus.CANCELLED, timezone.now()
            row.message = "Cancelled before it started."
            fields += ["status", "finished_at", "message"]
        row.save(update_fields=fields)
    return True


def resume(run: SyncRun) -> bool:
    """Makes a paused or failed import queued again, to go on from its cursor (the caller
    queues its task); False when it is not one."""
    with transaction.atomic():
        row = SyncRun.objects.select_for_update().get(pk=run.pk)
        if row.kind != SyncRun.Kind.IMPORT or row.status not in RESUMABLE:
            return False
        row.status, row.finished_at, row.message = RunStatus.QUEUED, None, ""
        row.params = {**row.params, "cancel": False}
        row.save(update_fields=["status", "finished_at", "message", "params"])
    return True


def import_object(account: Account, run: SyncRun) -> SyncRun:
    """Runs (or goes on with) the import `run` describes, under the account's lock."""
    job = ImportJob(run)
    return run_job(account, SyncRun.Kind.IMPORT, run, job.work, status_of=job.status)


def summary(run: SyncRun) -> dict[str, Any]:
    """The command line's figures of an import run (one JSON line)."""
    key = next((k for k in (run.counts or {}) if isinstance(run.counts[k], dict)), None)
    to_hs = (run.counts or {}).get(key, {}).get("to_hs", {}) if key else {}
    return {"object": run.params.get("object", ""), "created": to_hs.get("created", 0),
            "updated": to_hs.get("updated", 0), "failed": to_hs.get("failed", 0),
            "excluded": to_hs.get("excluded", 0), "total": run.progress_total,
            "done": run.progress_done, "sf_api_calls": run.sf_calls,
            "hs_api_calls": run.hs_calls, "seconds": run.params.get("seconds", 0),
            "status": run.status}


def _restored(counts: dict[str, Any] | None) -> ObjectResult:
    """The counts an earlier attempt of this run committed, to go on from."""
    counts = counts or {}
    result = ObjectResult(associations=int(counts.get("associations", 0)))
    for side in ("to_hs", "to_sf"):
        for name, value in (counts.get(side) or {}).items():
            if hasattr(Counts, name):
                setattr(getattr(result, side), name, int(value))
    return result


class ImportJob:
    def __init__(self, run: SyncRun) -> None:
        self.run = run  # the same object run_job saves at the end: params stay in step
        self.sf_object: str = run.params["object"]
        self.cancelled = False

    def status(self, result: RunResult) -> str | None:
        return RunStatus.CANCELLED if self.cancelled else None

    def work(self, engine: AccountSync) -> RunResult:
        started = time.monotonic()
        run, account = self.run, engine.account
        key = key_of(account, self.sf_object)
        if key is None:
            raise ValueError(f"{self.sf_object} cannot be imported into this account")
        before_sf, before_hs = run.sf_calls, run.hs_calls  # earlier attempts of this run
        done = run.progress_done
        result = RunResult()
        result.objects[key] = _restored((run.counts or {}).get(key))

        def report(page_done: int = 0) -> None:
            # run_job's progress callback (through the engine): records done/total and
            # stops the job if the account's lease was lost.
            engine.contacts.progress(done + page_done, run.progress_total)

        try:
            report()  # before any call: sync turned off meanwhile stops it here (A7)
            importer = self.importer(engine, key, result.objects[key], report)
            if not run.progress_total or int(run.params.get("attempts", 1)) <= 1:
                run.progress_total = engine.sf.count(self.sf_object,
                                                     equals=ONLY.get(self.sf_object))
            report()
            for rows in self.chunks(engine.sf, importer.sf_fields(), run.progress_total - done):
                if self.cancel_asked():
                    break
                importer.apply(rows)
                done += len(rows)
                self.commit(rows[-1]["Id"], done, result, engine, before_sf, before_hs)
                report()
            else:
                if SyncRun.objects.filter(pk=run.pk, params__cancel=True).exists():
                    # Asked during the last chunk: nothing was left to stop.
                    result.message = "The cancel came after the last records were imported."
            if self.cancelled and not result.message:
                result.message = "Cancelled; the records imported so far stay linked."
            clear_account_error(account, Kind.ALLOCATION_REACHED)  # the allocation let it run
        except BudgetExhausted as exc:
            result.paused, result.message = True, exc.message
            record_account_error(account, exc)
        finally:
            result.sf_calls = before_sf + engine.sf.calls
            result.hs_calls = before_hs + engine.hs.calls
            result.seconds = time.monotonic() - started + float(run.params.get("seconds", 0))
        run.params = {**run.params, "seconds": round(result.seconds, 3)}
        return result

    def importer(self, engine: AccountSync, key: str, result: ObjectResult,
                 report: Callable[[int], None]) -> ContactImporter | ObjectImporter:
        """The object's page applier, after the set-up its first sync would do: a custom
        object's HubSpot schema and value mappings here, the rest in its `set_up`."""
        account, sf, hs = engine.account, engine.sf, engine.hs
        applier: ContactImporter | ObjectImporter
        if key == "contacts":
            applier = ContactImporter(account, self.sf_object, sf, hs, result, report)
        else:
            if objects.custom.is_custom(key):
                row = ObjectSync.objects.get(account=account, object="custom",
                                             sf_object=self.sf_object)
                custom.ensure_schema(account, row, sf, hs)
            base = engine.pipeline_for(key)  # read after the schema: its type and mappings
            engine.pipelines = {key: base}  # the engine's set-up below: this object only
            engine.ensure_value_maps()
            applier = ObjectImporter(base, result, tick=lambda: report(0))
        applier.set_up()
        return applier

    def chunks(self, sf: Any, fields: list[str], remaining: int
               ) -> Iterator[list[dict[str, Any]]]:
        """Rows past the cursor in Id order, CHUNK at a time. Above the adapter's bulk
        threshold they are read by one Bulk API 2.0 query job (a few calls in all);
        below it by REST query pages (one call per 2,000 rows).

        ORDER BY Id is what makes the cursor exact. In a bulk job it also turns off
        Salesforce's PK chunking, so a very large object may time out there ("Troubleshooting
        Query Timeouts", Bulk API 2.0 guide); resuming from the job's own result locator
        instead would need the adapter's bulk_query to hand its job id and locator out."""
        soql = after_id_soql(self.sf_object, fields, self.run.params.get("cursor") or "",
                             equals=ONLY.get(self.sf_object))
        bulk = remaining > sf.config.bulk_threshold
        pages = sf.bulk_query(soql) if bulk else sf.query(soql)
        for page in pages:
            for start in range(0, len(page), CHUNK):
                yield page[start:start + CHUNK]

    def cancel_asked(self) -> bool:
        asked = SyncRun.objects.filter(pk=self.run.pk, params__cancel=True).exists()
        if asked:
            self.cancelled = True
            self.run.params = {**self.run.params, "cancel": True}
        return asked

    def commit(self, cursor: str, done: int, result: RunResult, engine: AccountSync,
               before_sf: int, before_hs: int) -> None:
        """The chunk's links are saved (the pipeline's commit stage): now the cursor, the
        counts and the figures move past it, in one write."""
        run = self.run
        with transaction.atomic():
            # Locked like `request_cancel`, so a cancel asked meanwhile is kept, not lost.
            saved = SyncRun.objects.select_for_update().values_list(
                "params", flat=True).get(pk=run.pk)
            run.params = {**run.params, "cursor": cursor,
                          "cancel": bool(run.params.get("cancel") or saved.get("cancel"))}
            run.progress_done = done
            run.counts = {k: r.as_dict() for k, r in result.objects.items()}
            run.sf_calls = before_sf + engine.sf.calls
            run.hs_calls = before_hs + engine.hs.calls
            run.save(update_fields=["params", "progress_done", "counts", "sf_calls",
                                    "hs_calls"])
