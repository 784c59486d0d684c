"""Running an import in-process and reading its figures back (tests/sync/test_import*.py)."""

from __future__ import annotations

from syncadmin.sync import imports
from syncadmin.sync.models import SyncRun
from tests.sync.helpers import hs_contacts


def run_import(account, sf_object: str) -> SyncRun:
    return imports.import_object(account, imports.new_run(account, sf_object))


def sf_calls(sf) -> int:
    return sf.control.usage()["used"]


def hs_emails(hs_client) -> list[str]:
    return sorted(c["email"].lower() for c in hs_contacts(hs_client, props=("email",)))


def sf_endpoints(account) -> dict[str, int]:
    """The account's Salesforce calls by endpoint, as the usage ledger recorded them."""
    from django.db.models import Sum

    from syncadmin.usage.models import ApiUsage

    return dict(ApiUsage.objects.filter(account=account, remote="salesforce")
                .values_list("endpoint").annotate(n=Sum("calls")))
