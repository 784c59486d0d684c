"""The Import page (FEATURES E4) without a browser: the Feature discovery card, choosing an
object (standard ones and the account's custom objects), confirming, the progress partial
htmx polls, cancelling with a confirmation, and who may do what. One flow runs the queued
job on a real Celery worker against the emulators."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse

from syncadmin.integration.models import ObjectSync
from syncadmin.sync.models import RunStatus, SyncRun
from tests.sync.helpers import hs_contacts, people

pytestmark = pytest.mark.django_db(transaction=True)

HX = {"HTTP_HX_REQUEST": "true"}


def url(name: str, account, **kw) -> str:
    return reverse(f"integration:{name}", kwargs={"account_id": account.pk, **kw})


def test_feature_card_points_to_the_import_and_tells_what_it_does(admin_client, account):
    page = admin_client.get(url("features", account)).content.decode()
    assert url("import", account) in page
    assert "The initial sync imports the records of every object" not in page
    assert "one-off job" in page


def test_page_offers_standard_objects_and_the_accounts_custom_objects(admin_client, account,
                                                                      other_account):
    ObjectSync.objects.create(account=account, object="custom", sf_object="Shipment__c")
    ObjectSync.objects.create(account=other_account, object="custom", sf_object="Project__c")
    page = admin_client.get(url("import", account)).content.decode()
    for name in ("Contact", "Lead", "Account", "Opportunity", "Case", "Shipment__c"):
        assert f'value="{name}"' in page
    assert "Project__c" not in page  # another account's custom object
    assert 'value="Task"' not in page  # not until activities import


def test_choose_confirm_then_the_job_is_queued_with_its_cursor(admin_client, connected):
    chosen = admin_client.post(url("import", connected), {"object": "Contact"})
    assert chosen.status_code == 200
    assert "Import every record of Contacts?" in chosen.content.decode()
    assert not SyncRun.objects.filter(kind=SyncRun.Kind.IMPORT).exists()  # not yet

    started = admin_client.post(url("import", connected), {"object": "Contact",
                                                          "confirm": "1"})
    run = SyncRun.objects.get(account=connected, kind=SyncRun.Kind.IMPORT)
    assert started.status_code == 302 and started["Location"] == url("import_run", connected,
                                                                     pk=run.pk)
    assert (run.status, run.params) == (RunStatus.QUEUED, {"object": "Contact", "cursor": "",
                                                           "cancel": False})
    # A second import waits for the first.
    again = admin_client.post(url("import", connected), {"object": "Lead", "confirm": "1"},
                              follow=True)
    assert "An import is already under way" in again.content.decode()
    assert SyncRun.objects.filter(kind=SyncRun.Kind.IMPORT).count() == 1

    bad = admin_client.post(url("import", connected), {"object": "Widget__c", "confirm": "1"})
    assert bad.status_code == 400


def test_with_sync_off_the_page_says_so_and_starts_nothing(admin_client, connected):
    connected.sync_enabled = False
    connected.save()
    assert "Sync is off for this account" in admin_client.get(
        url("import", connected)).content.decode()
    refused = admin_client.post(url("import", connected), {"object": "Contact",
                                                          "confirm": "1"})
    assert refused.status_code == 409
    assert not SyncRun.objects.filter(kind=SyncRun.Kind.IMPORT).exists()


def test_progress_partial_polls_while_active_and_cancel_asks_first(admin_client, account):
    run = SyncRun.objects.create(account=account, kind=SyncRun.Kind.IMPORT,
                                 status=RunStatus.RUNNING, progress_done=2000,
                                 progress_total=5000,
                                 params={"object": "Contact", "cursor": "003x", "cancel": False})
    partial = admin_client.get(url("import_run", account, pk=run.pk), **HX).content.decode()
    assert 'hx-trigger="every 2s"' in partial and "2000 / 5000" in partial
    assert "<html" not in partial
    assert url("import_cancel", account, pk=run.pk) in partial

    confirm = admin_client.get(url("import_cancel", account, pk=run.pk)).content.decode()
    assert "Cancel the import?" in confirm
    assert SyncRun.objects.get(pk=run.pk).params["cancel"] is False  # asking changes nothing
    admin_client.post(url("import_cancel", account, pk=run.pk))
    run.refresh_from_db()
    # Running: the job stops after its chunk; the cursor is untouched.
    assert (run.status, run.params["cancel"], run.params["cursor"]) == (
        RunStatus.RUNNING, True, "003x")
    partial = admin_client.get(url("import_run", account, pk=run.pk), **HX).content.decode()
    assert "Cancelling" in partial

    SyncRun.objects.filter(pk=run.pk).update(status=RunStatus.CANCELLED)
    partial = admin_client.get(url("import_run", account, pk=run.pk), **HX).content.decode()
    assert "hx-trigger" not in partial  # finished: no more polling


def test_a_paused_import_offers_resume_which_queues_the_same_run(admin_client, connected):
    run = SyncRun.objects.create(account=connected, kind=SyncRun.Kind.IMPORT,
                                 status=RunStatus.PAUSED, progress_done=2000,
                                 progress_total=5000, message="Salesforce API allocation "
                                 "reached: 15000 of 15000 calls in 24 h",
                                 params={"object": "Contact", "cursor": "003x", "cancel": False})
    page = admin_client.get(url("import_run", connected, pk=run.pk)).content.decode()
    assert "allocation reached" in page and "Resume the import" in page
    assert 'hx-trigger="every 2s"' not in page
    admin_client.post(url("import_resume", connected, pk=run.pk))
    run.refresh_from_db()
    assert (run.status, run.finished_at, run.params["cursor"]) == (RunStatus.QUEUED, None,
                                                                   "003x")
    assert SyncRun.objects.filter(kind=SyncRun.Kind.IMPORT).count() == 1


def test_members_only_admins_change_and_posts_need_csrf(client, account, other_account,
                                                        make_member):
    run = SyncRun.objects.create(account=account, kind=SyncRun.Kind.IMPORT,
                                 params={"object": "Contact", "cursor": "", "cancel": False})
    client.force_login(make_member(account, "viewer"))
    assert client.get(url("import", account)).status_code == 200
    assert 'name="object"' not in client.get(url("import", account)).content.decode()
    assert client.get(url("import_run", account, pk=run.pk)).status_code == 200
    assert client.post(url("import", account), {"object": "Contact",
                                                "confirm": "1"}).status_code == 403
    assert client.post(url("import_cancel", account, pk=run.pk)).status_code == 403
    assert client.post(url("import_resume", account, pk=run.pk)).status_code == 403
    assert client.get(url("import", other_account)).status_code == 404
    assert client.delete(url("import", account)).status_code == 405
    assert client.post(url("import_run", account, pk=run.pk)).status_code == 405
    assert client.get(url("import_run", other_account, pk=run.pk)).status_code == 404

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(make_member(account, "admin"))
    assert strict.post(url("import_cancel", account, pk=run.pk)).status_code == 403
    assert SyncRun.objects.get(pk=run.pk).params["cancel"] is False


def test_started_from_the_page_the_worker_imports_and_the_page_shows_it(
        admin_client, connected, sf, hs_client, celery_worker_process):
    sf.control.insert("Contact", people("Page", 5))
    celery_worker_process.start()
    admin_client.post(url("import", connected), {"object": "Contact", "confirm": "1"})
    run = SyncRun.objects.get(account=connected, kind=SyncRun.Kind.IMPORT)
    deadline = time.monotonic() + 60
    while not SyncRun.objects.get(pk=run.pk).finished_at:
        assert time.monotonic() < deadline, "the import did not finish"
        time.sleep(0.1)
    page = admin_client.get(url("import_run", connected, pk=run.pk)).content.decode()
    assert "Succeeded" in page and 'data-figure="created">5<' in page
    assert len(hs_contacts(hs_client, props=("email",))) == 5


@pytest.mark.parametrize(("lang", "words"), [
    ("it", ("Importa record", "Importazioni recenti", "Scegli un oggetto")),
    ("pl", ("Importuj rekordy", "Ostatnie importy", "Wybierz obiekt")),
    ("da", ("Importér poster", "Seneste importer", "Vælg et objekt")),
])
def test_import_pages_speak_the_users_language(admin_client, account, lang, words):
    features = admin_client.get(url("features", account), HTTP_ACCEPT_LANGUAGE=lang)
    assert words[0] in features.content.decode()
    page = admin_client.get(url("import", account), HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    assert words[1] in page and words[2] in page
