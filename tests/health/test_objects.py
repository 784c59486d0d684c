"""Sync Health for every registry object: object view, record view filters and links,
the associations panel (H8), restore/resync of any object, exports, pinned query counts."""

import csv

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from syncadmin.health.tasks import export_records
from syncadmin.integration.models import ObjectSync
from syncadmin.sync import objects
from syncadmin.sync.models import AssociationLink, RecordLink, SyncError, SyncRun

pytestmark = pytest.mark.django_db

PORTAL = "4242"
INSTANCE = "https://acme.my.salesforce.com"
# One Salesforce id prefix per registry object (contacts: a Contact; leads tested apart).
SF_PREFIX = {"contacts": "003", "companies": "001", "deals": "006", "tickets": "500"}
HS_TYPE = {"contacts": "0-1", "companies": "0-2", "deals": "0-3", "tickets": "0-5"}
SF_OBJECT = {"contacts": "Contact", "companies": "Account", "deals": "Opportunity",
             "tickets": "Case"}
KEYS = ["contacts", "companies", "deals", "tickets"]


def url(name, account, **kw):
    return reverse(f"health:{name}", kwargs={"account_id": account.pk, **kw})


def enable(account, *keys, on=True):
    for key in keys:
        ObjectSync.objects.update_or_create(
            account=account, object=key, sf_object=objects.get(key).sf_object,
            defaults={"enabled": on})


@pytest.fixture
def connected_ids(account):
    account.sf_instance_url = INSTANCE
    account.hubspot_portal_id = PORTAL
    account.save()
    return account


def make(account, obj, n, start=0, status="in_sync", **kw):
    return RecordLink.objects.bulk_create([
        RecordLink(account=account, object=obj, hs_id=f"{obj[0]}{i}",
                   sf_id=f"{SF_PREFIX[obj]}{i:015d}", sf_object=SF_OBJECT[obj],
                   label=f"{obj.title()} {i}", status=status, **kw)
        for i in range(start, start + n)
    ])


def fail(account, links, kind="picklist_value"):
    SyncError.objects.bulk_create([
        SyncError(account=account, link=lnk, object=lnk.object, kind=kind, direction="to_sf",
                  record_label=lnk.label, hs_id=lnk.hs_id, sf_id=lnk.sf_id, message="nope")
        for lnk in links
    ])


def row_html(html, obj):
    return html.split(f'<tr data-object="{obj}">')[1].split("</tr>")[0]


# --- object view (H5) -----------------------------------------------------------------------

def test_registry_gives_every_object_a_hubspot_type_id():
    assert {s.key: s.hs_type_id for s in objects.all_specs()} == HS_TYPE


def test_object_view_lists_every_enabled_object_with_counts_and_tips(admin_client, account):
    enable(account, "companies", "deals", "tickets")
    for i, obj in enumerate(KEYS):
        ok = make(account, obj, 3 + i)
        fail(account, ok[:1])
        make(account, obj, i + 1, start=100, status="excluded", excluded_reason="filtered")
    make(account, "companies", 2, start=200, status="excluded",
         excluded_reason="no_name_or_domain")
    html = admin_client.get(url("objects", account)).content.decode()
    assert [h.split('"')[0] for h in html.split('<tr data-object="')[1:]] == KEYS
    for i, obj in enumerate(KEYS):
        row = row_html(html, obj)
        assert f'?object={obj}&amp;status=in_sync">{2 + i}<' in row
        # The Failed number opens that object's failed-records panel (the seed's flow).
        assert f'/objects/{obj}/failed/" hx-target="#panel" hx-push-url="true">1<' in row
        extra = 2 if obj == "companies" else 0
        assert f'?object={obj}&amp;status=excluded">{i + 1 + extra}<' in row
        assert f">{objects.get(obj).label}</th>" in row
    assert "A contact needs an email address to sync" in row_html(html, "contacts")
    companies = row_html(html, "companies")
    assert "A company needs a name or a domain to sync" in companies
    assert "No name and no domain: companies need a name or a domain to sync." in companies
    assert "Every deal syncs" in row_html(html, "deals")
    assert "Every ticket syncs" in row_html(html, "tickets")
    assert "Deals: nothing (every deal syncs)" in html


def test_object_view_leaves_out_objects_whose_sync_is_off(admin_client, account):
    make(account, "deals", 2)
    enable(account, "deals", on=False)
    enable(account, "tickets")
    html = admin_client.get(url("objects", account)).content.decode()
    assert 'data-object="contacts"' in html and 'data-object="tickets"' in html
    assert 'data-object="deals"' not in html and 'data-object="companies"' not in html


# --- record view (H7) -----------------------------------------------------------------------

@pytest.mark.parametrize("obj", KEYS)
def test_record_view_filters_by_each_object_and_links_both_systems(admin_client,
                                                                  connected_ids, obj):
    account = connected_ids
    for other in KEYS:
        make(account, other, 2)
    html = admin_client.get(url("records", account) + f"?object={obj}").content.decode()
    assert "2 records" in html
    assert f'<option value="{obj}" selected>{objects.get(obj).label}</option>' in html
    for key in KEYS:  # every object is offered, from the registry
        assert f'<option value="{key}"' in html
    link = RecordLink.objects.get(account=account, object=obj, label=f"{obj.title()} 1")
    assert (f"https://app.hubspot.com/contacts/{PORTAL}/record/{HS_TYPE[obj]}/{link.hs_id}"
            in html)
    assert f"{INSTANCE}/lightning/r/{SF_OBJECT[obj]}/{link.sf_id}/view" in html
    assert f">{objects.get(obj).label}<" in html.split("<tbody>")[1]  # the Object column
    others = [k for k in KEYS if k != obj]
    assert not any(f"{k.title()} 0" in html for k in others)


def test_a_lead_links_to_the_salesforce_lead(admin_client, connected_ids):
    RecordLink.objects.create(account=connected_ids, object="contacts", hs_id="9",
                              sf_object="Lead", sf_id="00Q000000000000009", label="Lea")
    html = admin_client.get(url("records", connected_ids)).content.decode()
    assert f"{INSTANCE}/lightning/r/Lead/00Q000000000000009/view" in html


def test_error_panel_links_each_object_to_both_systems(admin_client, connected_ids):
    account = connected_ids
    links = [make(account, obj, 1)[0] for obj in KEYS]
    fail(account, links, "validation_rule")
    html = admin_client.get(url("errors", account, kind="validation_rule"),
                            HTTP_HX_REQUEST="true").content.decode()
    for link in links:
        assert f"{INSTANCE}/lightning/r/{SF_OBJECT[link.object]}/{link.sf_id}/view" in html
        assert (f"/record/{HS_TYPE[link.object]}/{link.hs_id}" in html)
        assert f">{objects.get(link.object).label_singular}</span>" in html


# --- associations panel (H8) ----------------------------------------------------------------

@pytest.fixture
def graph(connected_ids):
    """A deal associated with a company and two contacts (one waiting to sync), a ticket
    associated with the same company; one contact associated with the company too."""
    account = connected_ids
    deal = make(account, "deals", 1)[0]
    company = make(account, "companies", 1)[0]
    contact = make(account, "contacts", 1)[0]
    ticket = make(account, "tickets", 1)[0]
    AssociationLink.objects.bulk_create([
        AssociationLink(account=account, kind="deal_company", from_link=deal, to_link=company),
        AssociationLink(account=account, kind="deal_contact", from_link=deal, to_link=contact,
                        sf_id="00K000000000000001"),
        AssociationLink(account=account, kind="deal_contact", from_link=deal,
                        pending_sf_id="003000000000000777", pending_hs_id="777"),
        AssociationLink(account=account, kind="ticket_company", from_link=ticket,
                        to_link=company),
        AssociationLink(account=account, kind="contact_company", from_link=contact,
                        to_link=company),
    ])
    return {"deal": deal, "company": company, "contact": contact, "ticket": ticket}


def test_associations_panel_of_the_owner_lists_targets_and_pending(admin_client, graph,
                                                                   account):
    deal = graph["deal"]
    response = admin_client.get(url("associations", account, link_id=deal.pk),
                                HTTP_HX_REQUEST="true", HTTP_HX_TARGET="record-panel")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and 'data-testid="associations"' in html
    assert ">Deals 0<" in html
    assert html.count('data-kind="deal_company"') == 1
    assert html.count('data-kind="deal_contact"') == 2
    assert "Deal ⇄ company" in html and "Deal ⇄ contacts" in html
    company, contact = graph["company"], graph["contact"]
    assert ">Companies 0</a>" in html and ">Contacts 0</a>" in html
    assert f"{INSTANCE}/lightning/r/Account/{company.sf_id}/view" in html
    assert f"https://app.hubspot.com/contacts/{PORTAL}/record/0-2/{company.hs_id}" in html
    assert f"{INSTANCE}/lightning/r/Contact/{contact.sf_id}/view" in html
    assert f"https://app.hubspot.com/contacts/{PORTAL}/record/0-1/{contact.hs_id}" in html
    # The contact not synced yet: the association waits, with its remote ids' links.
    assert html.count('data-pending="true"') == 1
    assert "waiting for the associated record to sync" in html
    assert f"{INSTANCE}/lightning/r/Contact/003000000000000777/view" in html
    assert f"https://app.hubspot.com/contacts/{PORTAL}/record/0-1/777" in html
    # The other record's name opens its own panel.
    assert url("associations", account, link_id=company.pk) in html


def test_associations_panel_of_the_target_lists_the_owners(admin_client, graph, account):
    html = admin_client.get(url("associations", account, link_id=graph["company"].pk),
                            HTTP_HX_REQUEST="true").content.decode()
    kinds = sorted(k.split('"')[0] for k in html.split('data-kind="')[1:])
    assert kinds == ["contact_company", "deal_company", "ticket_company"]
    assert "Ticket ⇄ company" in html and "Contact ⇄ company" in html
    assert ">Deals 0</a>" in html and ">Tickets 0</a>" in html and ">Contacts 0</a>" in html
    assert f"{INSTANCE}/lightning/r/Case/{graph['ticket'].sf_id}/view" in html
    assert f"/record/0-5/{graph['ticket'].hs_id}" in html
    assert "waiting for the associated record" not in html


def test_associations_panel_empty_state(admin_client, connected_ids):
    lonely = make(connected_ids, "tickets", 1)[0]
    html = admin_client.get(url("associations", connected_ids, link_id=lonely.pk),
                            HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="assoc-empty"' in html
    assert "This record is not associated with any other record." in html


def test_associations_url_without_htmx_is_the_record_view_with_the_panel_open(
        admin_client, graph, account):
    """Reload, back, a shared link or no JavaScript: the whole page, filters kept."""
    target = url("associations", account, link_id=graph["deal"].pk) + "?object=deals"
    html = admin_client.get(target).content.decode()
    assert "<html" in html and 'id="record-table"' in html and "1 record<" in html
    assert 'id="record-panel" class="panel open"' in html and "Deal ⇄ company" in html
    assert f'href="{url("records", account)}?object=deals" aria-label="Close"' in html
    # An htmx history restore gets the whole page too.
    restored = admin_client.get(target, HTTP_HX_REQUEST="true",
                                HTTP_HX_HISTORY_RESTORE_REQUEST="true").content.decode()
    assert "<html" in restored
    # Each record of the table opens its panel, by htmx with the same plain URL behind it.
    records = admin_client.get(url("records", account) + "?object=deals").content.decode()
    assoc = url("associations", account, link_id=graph["deal"].pk) + "?object=deals"
    assert f'href="{assoc}" hx-get="{assoc}" hx-target="#record-panel" hx-push-url="true"' \
        in records


def test_new_filters_close_the_panel(admin_client, graph, account):
    partial = admin_client.get(url("records", account) + "?object=tickets",
                               HTTP_HX_REQUEST="true",
                               HTTP_HX_TARGET="record-table").content.decode()
    assert "<html" not in partial
    assert 'id="record-panel" class="panel" aria-live="polite" hx-swap-oob="true"' in partial


def test_associations_panel_is_for_members_only(client, admin_client, graph, account,
                                                 other_account, make_member):
    deal = graph["deal"]
    assert admin_client.post(url("associations", account, link_id=deal.pk)).status_code == 405
    outsider = make_member(other_account, "admin")
    client.force_login(outsider)
    # Not a member of the record's account: 404, with or without htmx.
    assert client.get(url("associations", account, link_id=deal.pk)).status_code == 404
    assert client.get(url("associations", account, link_id=deal.pk),
                      HTTP_HX_REQUEST="true").status_code == 404
    # Through the account they do belong to, another account's record does not exist.
    assert client.get(url("associations", other_account, link_id=deal.pk)).status_code == 404


def test_viewer_sees_associations(viewer_client, graph, account):
    response = viewer_client.get(url("associations", account, link_id=graph["deal"].pk),
                                 HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Deal ⇄ company" in response.content.decode()


# --- restore and resync of any object (H6, H7) ----------------------------------------------

@pytest.fixture
def queued(settings):
    import base64
    import json

    import redis

    broker = redis.Redis.from_url(settings.REDIS_URL)
    broker.flushdb()

    def read():
        return [(json.loads(raw)["headers"]["task"].removeprefix("sync."),
                 tuple(json.loads(base64.b64decode(json.loads(raw)["body"]))[0]))
                for raw in broker.lrange(settings.CELERY_TASK_DEFAULT_QUEUE, 0, -1)]

    return read


@pytest.mark.parametrize("obj", ["companies", "deals", "tickets"])
def test_restore_reviews_and_restores_any_object(admin_client, account, queued, obj):
    make(account, obj, 3, status="deleted_hs")
    make(account, "contacts", 2, status="deleted_hs")
    html = admin_client.get(url("restore", account)
                            + f"?object={obj}&destination=hubspot&review=1").content.decode()
    for key in KEYS:
        assert f'<option value="{key}"' in html
    assert "3 records will be restored in HubSpot" in html and "Restore all 3" in html
    assert f"{obj.title()} 0" in html and "Contacts 0" not in html
    admin_client.post(url("restore", account), {"object": obj, "destination": "hubspot"})
    assert queued() == [("resync_deleted", (account.pk, "hubspot", obj))]
    run = SyncRun.objects.get(account=account, kind="resync")
    assert run.params["object"] == obj and run.progress_total == 3


def test_restore_refuses_an_unknown_object(admin_client, account):
    assert admin_client.get(url("restore", account) + "?object=custom").status_code == 404
    assert admin_client.post(url("restore", account),
                             {"object": "widgets", "destination": "hubspot"}).status_code == 404


def test_resync_confirmation_offers_every_object_with_its_deleted_count(admin_client, account,
                                                                        queued):
    make(account, "deals", 4, status="deleted_sf")
    make(account, "tickets", 1, status="deleted_sf")
    confirm = admin_client.get(url("resync", account) + "?destination=salesforce",
                               HTTP_HX_REQUEST="true").content.decode()
    # Nothing chosen: the first object with deleted records.
    assert "Recreate 4 deals deleted in Salesforce" in confirm
    assert '<option value="deals" selected>Deals (4 deleted)</option>' in confirm
    assert '<option value="tickets" >Tickets (1 deleted)</option>' in confirm
    assert '<option value="contacts" >Contacts (0 deleted)</option>' in confirm
    chosen = admin_client.get(url("resync", account) + "?destination=salesforce&object=tickets",
                              HTTP_HX_REQUEST="true").content.decode()
    assert "Recreate 1 tickets deleted in Salesforce" in chosen
    admin_client.post(url("resync", account), {"destination": "salesforce",
                                               "object": "tickets"})
    assert queued() == [("resync_deleted", (account.pk, "salesforce", "tickets"))]


# --- exports --------------------------------------------------------------------------------

@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def test_exports_carry_companies_and_deals_and_never_formulas(account, var_dir):
    make(account, "contacts", 2)
    make(account, "deals", 2, status="failed")
    RecordLink.objects.bulk_create([
        RecordLink(account=account, object="companies", hs_id="co1", sf_id="001000000000000001",
                   label='=HYPERLINK("http://evil.example","Acme")'),
        RecordLink(account=account, object="deals", hs_id="dx9", label="+1 upsell",
                   email="@attacker", excluded_reason="-2+3"),
        RecordLink(account=account, object="companies", hs_id="co2", label="  =1+1"),
        RecordLink(account=account, object="companies", hs_id="co3", label="Plain Co"),
    ])
    csv_run = SyncRun.objects.create(account=account, kind="export",
                                     params={"format": "csv", "filters": {}})
    with (var_dir / "exports" / export_records(csv_run.pk)).open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    by_hs = {r[4]: r for r in rows[1:]}
    assert {r[1] for r in rows[1:]} == {"contacts", "companies", "deals"}
    assert by_hs["d0"][:3] == ["Deals 0", "deals", "Failed"]
    assert by_hs["co1"][0] == '\'=HYPERLINK("http://evil.example","Acme")'
    assert by_hs["dx9"][0] == "'+1 upsell" and by_hs["dx9"][3] == "'@attacker"
    assert by_hs["dx9"][7] == "'-2+3"
    assert by_hs["co2"][0] == "'  =1+1"
    assert by_hs["co3"][0] == "Plain Co"
    for row in rows[1:]:
        assert not any(cell[:1] in "=+-@\t\r" and cell for cell in row), row

    xlsx_run = SyncRun.objects.create(account=account, kind="export",
                                      params={"format": "xlsx", "filters": {}})
    path = var_dir / "exports" / export_records(xlsx_run.pk)
    sheet = load_workbook(path).active
    cells = {c.value: c for row in sheet.iter_rows() for c in row if c.value}
    evil = cells['=HYPERLINK("http://evil.example","Acme")']
    assert evil.data_type == "s" and evil.quotePrefix  # text, never a formula
    assert cells["+1 upsell"].data_type == "s"
    assert cells["Plain Co"].data_type == "s"
    assert not any(c.data_type == "f" for c in cells.values())
    filtered = SyncRun.objects.create(account=account, kind="export",
                                      params={"format": "xlsx",
                                              "filters": {"object": "companies"}})
    sheet = load_workbook(var_dir / "exports" / export_records(filtered.pk),
                          read_only=True).active
    assert sorted(r[1] for r in list(sheet.iter_rows(values_only=True))[1:]) == \
        ["companies"] * 3


# --- query counts (pinned exactly; the same at two data sizes) --------------------------------

def _fill(account, n):
    enable(account, "companies", "deals", "tickets")
    made = {obj: make(account, obj, n) for obj in KEYS}
    for obj in KEYS:
        make(account, obj, n, start=10_000, status="excluded", excluded_reason="filtered")
        make(account, obj, n, start=20_000, status="deleted_hs")
        fail(account, made[obj][::2])
    deal, company = made["deals"][0], made["companies"][0]
    AssociationLink.objects.bulk_create(
        [AssociationLink(account=account, kind="deal_contact", from_link=deal, to_link=c)
         for c in made["contacts"]]
        + [AssociationLink(account=account, kind="deal_company", from_link=deal,
                           to_link=company),
           AssociationLink(account=account, kind="deal_contact", from_link=deal,
                           pending_sf_id="003000000000000999")]
        + [AssociationLink(account=account, kind="deal_company", from_link=d, to_link=company)
           for d in made["deals"][1:]]
    )
    return deal


# Every full page: session and user (auth), the membership (account_for), then the page's
# own queries, then the account switcher's memberships (base.html).
PINNED = {
    # ObjectSync's enabled keys; the status, excluded, moved and error-kind GROUP BYs.
    "objects": 3 + 5 + 1,
    # user columns, the account's custom objects (filter), count, one page of rows,
    # recent exports.
    "records": 3 + 5 + 1,
    # htmx partial (no base.html): the record, count of its associations, one page of them
    # with both ends joined.
    "associations": 3 + 3,
    # Without htmx: the record view with the panel open, so both.
    "associations_page": 3 + 5 + 3 + 1,
}


@pytest.mark.parametrize("n", [3, 120])
def test_query_counts_are_pinned_whatever_the_data_size(admin_client, connected_ids, n,
                                                        django_assert_num_queries):
    account = connected_ids
    deal = _fill(account, n)
    pages = {
        "objects": (url("objects", account), {}),
        "records": (url("records", account) + "?object=deals", {}),
        "associations": (url("associations", account, link_id=deal.pk),
                         {"HTTP_HX_REQUEST": "true"}),
        "associations_page": (url("associations", account, link_id=deal.pk) + "?object=deals",
                              {}),
    }
    for name, (target, headers) in pages.items():
        with django_assert_num_queries(PINNED[name], info=name):
            response = admin_client.get(target, **headers)
        assert response.status_code == 200, name
    html = admin_client.get(url("associations", account, link_id=deal.pk),
                            HTTP_HX_REQUEST="true").content.decode()
    assert html.count("<li data-kind=") == min(n + 2, 50)
