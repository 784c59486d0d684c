"""Sync Health pages: numbers, allocation validation, roles, the panel, jobs, query counts."""

import datetime as dt

import pytest
from django.urls import reverse

from syncadmin.audit.models import AuditEntry
from syncadmin.health.models import UserColumns
from syncadmin.integration.models import ApiSettings
from syncadmin.sync.models import RecordLink, SyncError, SyncRun
from syncadmin.usage.ledger import DbLedger
from syncadmin.usage.models import OrgLimit

pytestmark = pytest.mark.django_db


def url(name, account, **kw):
    return reverse(f"health:{name}", kwargs={"account_id": account.pk, **kw})


def usage(account, minutes_ago, calls, endpoint="query", remote="salesforce"):
    at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes_ago)
    DbLedger(account).record(remote, endpoint, at.timestamp(), n=calls)


def make_links(account, n, start=0, obj="contacts", status="in_sync"):
    return RecordLink.objects.bulk_create([
        RecordLink(account=account, object=obj, hs_id=f"{obj}{i}", sf_id=f"003{i:015d}",
                   label=f"Person {i}", email=f"p{i}@example.com", status=status)
        for i in range(start, start + n)
    ])


def make_errors(account, links, kind, message="FIELD_CUSTOM_VALIDATION_EXCEPTION: nope"):
    return SyncError.objects.bulk_create([
        SyncError(account=account, link=lnk, object=lnk.object, kind=kind, direction="to_sf",
                  record_label=lnk.label, hs_id=lnk.hs_id, sf_id=lnk.sf_id, message=message)
        for lnk in links
    ])


def test_dashboard_shows_usage_remaining_and_the_org_limit(admin_client, account):
    usage(account, 3, 120)
    usage(account, 70, 30, endpoint="composite")
    usage(account, 25 * 60, 999)  # outside the rolling 24 h
    usage(account, 3, 77, remote="hubspot")
    ApiSettings.objects.filter(account=account).update(allocation=1000)
    OrgLimit.objects.create(account=account, used=4321, max=15000)
    page = admin_client.get(url("dashboard", account))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="used">150<' in html
    assert 'data-testid="remaining">850<' in html
    assert 'data-testid="sf-limit">15,000<' in html
    assert "<svg" in html and "<rect" in html
    assert 'style="' not in html  # CSP: no inline styles


def test_allocation_update_is_saved_and_audited(admin_client, account):
    response = admin_client.post(url("dashboard", account), {"allocation": "25000"})
    assert response.status_code == 302
    assert ApiSettings.objects.get(account=account).allocation == 25000
    entry = AuditEntry.objects.filter(account=account, action="change").latest("id")
    assert "allocation" in str(entry.__dict__)


@pytest.mark.parametrize(("value", "message"), [
    ("0", "at least 1"),
    ("-5", "at least 1"),
    ("abc", "whole number"),
    ("", "Enter the number"),
    ("2.5", "whole number"),
    ("20001", "above the Salesforce limit of 20,000"),
])
@pytest.mark.parametrize("htmx", [False, True])
def test_allocation_refusals_keep_the_old_value(admin_client, account, value, message, htmx):
    OrgLimit.objects.create(account=account, used=10, max=20000)
    ApiSettings.objects.filter(account=account).update(allocation=5000)
    headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "usage"} if htmx else {}
    response = admin_client.post(url("dashboard", account), {"allocation": value}, **headers)
    assert response.status_code == (200 if htmx else 400)
    html = response.content.decode()
    assert message in html
    if value:
        assert f'value="{value}"' in html  # what was typed is still there
    assert ApiSettings.objects.get(account=account).allocation == 5000
    if htmx:
        assert "<html" not in html and 'id="usage"' in html


def test_allocation_equal_to_the_sf_limit_is_fine(admin_client, account):
    OrgLimit.objects.create(account=account, used=10, max=20000)
    response = admin_client.post(url("dashboard", account), {"allocation": "20000"},
                                 HTTP_HX_REQUEST="true", HTTP_HX_TARGET="usage")
    assert response.status_code == 200
    assert "Allocation updated" in response.content.decode()
    assert ApiSettings.objects.get(account=account).allocation == 20000


def test_forecast_warning_when_the_pace_crosses_the_allocation(admin_client, account):
    ApiSettings.objects.filter(account=account).update(allocation=100)
    usage(account, 1, 90)
    html = admin_client.get(url("dashboard", account)).content.decode()
    assert 'data-testid="forecast-warning"' in html


def test_viewer_sees_but_cannot_post(viewer_client, account):
    assert viewer_client.get(url("dashboard", account)).status_code == 200
    assert viewer_client.post(url("dashboard", account), {"allocation": "7"}).status_code == 403
    assert ApiSettings.objects.get(account=account).allocation == 50_000
    for name, kw in [("retry", {"kind": "invalid_email"}), ("resync", {}), ("export", {}),
                     ("restore", {})]:
        assert viewer_client.post(url(name, account, **kw), {}).status_code == 403, name


def test_non_member_gets_404(client, account, other_account, make_member):
    client.force_login(make_member(other_account, "admin"))
    for name, kw in [("dashboard", {}), ("errors", {"kind": "invalid_email"}), ("objects", {}),
                     ("records", {}), ("runs", {}), ("cards", {})]:
        assert client.get(url(name, account, **kw)).status_code == 404, name


def test_panel_lists_errors_with_links_help_and_paging(admin_client, account):
    account.sf_instance_url = "https://acme.my.salesforce.com"
    account.hubspot_portal_id = "4242"
    account.save()
    links = make_links(account, 30)
    make_errors(account, links, "validation_rule")
    response = admin_client.get(url("errors", account, kind="validation_rule"),
                                HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert "Validation rule" in html and "How to fix" in html
    assert "relax the rule" in html
    assert "30 current errors" in html and "Page 1 of 2" in html
    assert html.count('class="remote-msg"') == 25
    shown = [lnk for lnk in links if f">{lnk.label}<" in html][0]
    assert f"https://acme.my.salesforce.com/lightning/r/Contact/{shown.sf_id}/view" in html
    assert f"https://app.hubspot.com/contacts/4242/record/0-1/{shown.hs_id}" in html
    page2 = admin_client.get(url("errors", account, kind="validation_rule") + "?page=2",
                             HTTP_HX_REQUEST="true").content.decode()
    assert page2.count('class="remote-msg"') == 5
    # Without htmx (reload, shared link) the whole dashboard comes with the panel open.
    full = admin_client.get(url("errors", account, kind="validation_rule")).content.decode()
    assert "<html" in full and "API call usage" in full and "How to fix" in full


def test_unknown_kind_is_404(admin_client, account):
    assert admin_client.get(url("errors", account, kind="nope")).status_code == 404


@pytest.fixture
def queued(settings):
    """The jobs the page sent to the real broker (Redis), read back from its queue."""
    import base64
    import json

    import redis

    broker = redis.Redis.from_url(settings.REDIS_URL)
    broker.flushdb()

    def read():
        jobs = []
        for raw in broker.lrange(settings.CELERY_TASK_DEFAULT_QUEUE, 0, -1):
            message = json.loads(raw)
            args = json.loads(base64.b64decode(message["body"]))[0]
            jobs.append((message["headers"]["task"].removeprefix("sync."), tuple(args),
                         message["headers"]["id"]))
        return jobs

    return read


def test_retry_enqueues_the_links_and_records_a_run(admin_client, account, queued):
    links = make_links(account, 3)
    make_errors(account, links[:2], "invalid_email")
    make_errors(account, links[:1], "picklist_value")
    response = admin_client.post(url("retry", account, kind="invalid_email"),
                                 HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    # The cards are swapped in out of band, already watching the new run.
    assert 'id="cards"' in response.content.decode() and "hx-swap-oob" in response.content.decode()
    ((name, args, task_id),) = queued()
    assert name == "retry_records"
    assert args[0] == account.pk and sorted(args[1]) == sorted(lnk.pk for lnk in links[:2])
    run = SyncRun.objects.get(account=account, kind="retry")
    assert run.status == "queued" and run.params["task_id"] == task_id
    assert run.progress_total == 2
    assert 'data-testid="run-progress"' in response.content.decode()
    # While it runs the cards poll every 2 s; once done they stop.
    cards = admin_client.get(url("cards", account)).content.decode()
    assert "every 2s" in cards
    run.status = "succeeded"
    run.save()
    assert "every 2s" not in admin_client.get(url("cards", account)).content.decode()
    # The page that watched the run learns it ended, so the open panel reloads itself.
    watched = admin_client.get(url("cards", account) + f"?watching={run.pk}")
    assert watched["HX-Trigger"] == "runFinished"
    assert "HX-Trigger" not in admin_client.get(url("cards", account))


def test_resync_confirmation_then_resync_all(admin_client, account, queued):
    make_links(account, 4, status="deleted_hs")
    make_links(account, 2, start=10, status="deleted_sf")
    confirm = admin_client.get(url("resync", account) + "?destination=hubspot",
                               HTTP_HX_REQUEST="true").content.decode()
    assert "Recreate 4 contacts deleted in HubSpot" in confirm and "Resync all" in confirm
    admin_client.post(url("resync", account), {"destination": "salesforce",
                                               "object": "contacts"})
    assert queued()[0][:2] == ("resync_deleted", (account.pk, "salesforce", "contacts"))
    run = SyncRun.objects.get(account=account, kind="resync")
    assert run.progress_total == 2 and run.params["destination"] == "salesforce"


def test_restore_review_lists_what_comes_back(admin_client, account, queued):
    make_links(account, 3, status="deleted_sf")
    make_links(account, 2, start=10, status="in_sync")
    page = admin_client.get(url("restore", account)
                            + "?object=contacts&destination=salesforce&review=1")
    html = page.content.decode()
    assert "3 records will be restored in Salesforce" in html and "Restore all 3" in html
    assert html.count("Deleted in Salesforce</span>") == 3
    admin_client.post(url("restore", account), {"object": "contacts",
                                                "destination": "salesforce"})
    assert queued()[0][1] == (account.pk, "salesforce", "contacts")


def test_object_view_counts_and_tips(admin_client, account):
    links = make_links(account, 5)
    make_links(account, 2, start=10, status="excluded")
    RecordLink.objects.filter(status="excluded").update(excluded_reason="no_email")
    make_errors(account, links[:2], "picklist_value")
    html = admin_client.get(url("objects", account)).content.decode()
    assert 'data-testid="in_sync" href="' in html
    assert '/objects/contacts/failed/" hx-target="#panel" hx-push-url="true">2<' in html
    assert '?object=contacts&amp;status=in_sync">3<' in html
    assert '?object=contacts&amp;status=excluded">2<' in html
    assert "No email address" in html
    assert 'data-tip="Add the value to the picklist' in html


def test_record_view_filters_and_columns(admin_client, account):
    make_links(account, 3)
    make_links(account, 2, start=10, obj="deals", status="failed")
    html = admin_client.get(url("records", account) + "?object=deals").content.decode()
    assert "2 records" in html and "Person 10" in html and "Person 0" not in html
    admin_client.post(url("columns", account), {"columns": ["label", "email"]})
    assert UserColumns.objects.get(account=account).columns == ["label", "email"]
    html = admin_client.get(url("records", account)).content.decode()
    head = html.split("<thead>")[1].split("</thead>")[0]
    assert "p0@example.com" in html and "Email" in head and "Sync status" not in head
    partial = admin_client.get(url("records", account) + "?status=failed",
                               HTTP_HX_REQUEST="true", HTTP_HX_TARGET="record-table")
    assert "<html" not in partial.content.decode() and "2 records" in partial.content.decode()


def test_viewer_may_choose_own_columns(viewer_client, account):
    assert viewer_client.post(url("columns", account), {"columns": ["label"]}).status_code == 302


def test_job_history_shows_progress_for_running_jobs(admin_client, account):
    SyncRun.objects.create(account=account, kind="poll", status="succeeded", sf_calls=3,
                           hs_calls=2, counts={"contacts": {"to_hs": {"created": 4}}},
                           finished_at=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5))
    running = SyncRun.objects.create(account=account, kind="full", status="running",
                                     progress_done=40, progress_total=100)
    html = admin_client.get(url("runs", account)).content.decode()
    assert "created 4" in html and 'value="40"' in html and "every 2s" in html
    row = admin_client.get(url("run", account, pk=running.pk)).content.decode()
    assert row.startswith("<tr") and "<progress" in row


def _fill(account, n_links, kinds, minutes):
    links = make_links(account, n_links)
    for i, kind in enumerate(kinds):
        make_errors(account, links[i::2], kind)
    now = dt.datetime.now(dt.UTC)
    ledger = DbLedger(account)
    for m in range(minutes):
        ledger.record("salesforce", f"e{m % 3}", (now - dt.timedelta(minutes=m)).timestamp(),
                      n=1 + m % 5)


@pytest.mark.parametrize(("n_links", "kinds", "minutes"), [
    (4, ["invalid_email"], 10),
    (400, ["invalid_email", "picklist_value", "validation_rule", "record_locked",
           "duplicate_rule"], 3000),
])
def test_query_counts_do_not_grow_with_data(admin_client, account, n_links, kinds, minutes,
                                            django_assert_max_num_queries):
    _fill(account, n_links, kinds, minutes)
    for name, kw, limit in [("dashboard", {}, 12), ("objects", {}, 9), ("records", {}, 10),
                            ("runs", {}, 7), ("cards", {}, 7),
                            ("errors", {"kind": "invalid_email"}, 13)]:
        with django_assert_max_num_queries(limit, info=name):
            assert admin_client.get(url(name, account, **kw)).status_code == 200


def test_a_card_with_one_error_says_so_in_the_singular(admin_client, account):
    make_errors(account, make_links(account, 1, status="failed"), "invalid_email")
    page = admin_client.get(url("dashboard", account)).content.decode()
    assert "current error</span>" in page and "record affected</span>" in page
    assert "1 current errors" not in page


def test_sf_to_hs_off_exclusions_are_explained_not_shown_as_a_code(admin_client, account):
    make_links(account, 1, status="excluded")
    RecordLink.objects.filter(account=account).update(excluded_reason="sf_to_hs_off")
    page = admin_client.get(url("objects", account)).content.decode()
    assert "sf_to_hs_off" not in page
    assert "do not create HubSpot contacts" in page
