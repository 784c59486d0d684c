"""Record view exports: the Celery task writes CSV/XLSX from a streamed queryset."""

import csv

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from syncadmin.celery import app as celery_app
from syncadmin.health.tasks import export_records
from syncadmin.sync.models import RecordLink, SyncRun

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def links(account):
    RecordLink.objects.bulk_create(
        [RecordLink(account=account, object="contacts", hs_id=f"h{i}", sf_id=f"003{i:015d}",
                    label=f"Person {i}", email=f"p{i}@example.com") for i in range(1500)]
        + [RecordLink(account=account, object="deals", hs_id="d1", label="Big deal",
                      status="failed")]
        + [RecordLink(account=account, object="contacts", label="No mail",
                      status="excluded", excluded_reason="no_email")]
    )


def run_for(account, fmt, filters=None):
    return SyncRun.objects.create(account=account, kind="export",
                                  params={"format": fmt, "filters": filters or {}})


def test_csv_export_has_every_row_and_the_run_progress(account, other_account, var_dir):
    links(account)
    RecordLink.objects.create(account=other_account, object="contacts", hs_id="x",
                              label="Not mine")
    run = run_for(account, "csv")
    name = export_records(run.pk)
    run.refresh_from_db()
    assert run.status == "succeeded" and run.result_file == name
    assert run.progress_done == run.progress_total == 1502
    with (var_dir / "exports" / name).open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:3] == ["Record", "Object", "Sync status"]
    assert len(rows) == 1503
    by_label = {r[0]: r for r in rows[1:]}
    assert "Not mine" not in by_label
    assert by_label["Big deal"][1:3] == ["deals", "Failed"]
    assert by_label["No mail"][7] == "no_email"
    assert by_label["Person 7"][3] == "p7@example.com"


def test_xlsx_export_with_filters(account, var_dir):
    links(account)
    run = run_for(account, "xlsx", {"object": "deals", "status": "failed"})
    name = export_records(run.pk)
    assert name.endswith(".xlsx")
    sheet = load_workbook(var_dir / "exports" / name, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Record"
    assert [r[:3] for r in rows[1:]] == [("Big deal", "deals", "Failed")]


@pytest.fixture
def eager():
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


def test_export_button_runs_the_task_and_download_checks_membership(
        admin_client, account, other_account, make_member, eager):
    links(account)
    response = admin_client.post(
        reverse("health:export", kwargs={"account_id": account.pk}),
        {"format": "csv", "object": "contacts", "status": "excluded"}, follow=True)
    html = response.content.decode()
    assert "Export started" in html and 'data-testid="download"' in html
    run = SyncRun.objects.get(account=account, kind="export")
    url = reverse("health:download", kwargs={"account_id": account.pk, "pk": run.pk})
    download = admin_client.get(url)
    assert download.status_code == 200
    body = b"".join(download.streaming_content).decode()
    assert "No mail" in body and "Person 1" not in body
    # Someone from another account cannot fetch it, even knowing the id.
    outsider = make_member(other_account, "admin")
    admin_client.force_login(outsider)
    assert admin_client.get(url).status_code == 404
    other_url = reverse("health:download", kwargs={"account_id": other_account.pk,
                                                   "pk": run.pk})
    assert admin_client.get(other_url).status_code == 404


def test_viewer_can_download_but_not_export(viewer_client, account):
    run = run_for(account, "csv")
    export_records(run.pk)
    url = reverse("health:download", kwargs={"account_id": account.pk, "pk": run.pk})
    assert viewer_client.get(url).status_code == 200
    export_url = reverse("health:export", kwargs={"account_id": account.pk})
    assert viewer_client.post(export_url, {"format": "csv"}).status_code == 403
