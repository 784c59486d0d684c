"""A deal's currency syncs where the org has multiple currencies (E1): the mapping
deal_currency_code ⇄ CurrencyIsoCode is added at the deals' first sync only when the
org has the field (a single-currency org has no CurrencyIsoCode at all)."""

from __future__ import annotations

import pytest

from syncadmin.integration.models import FieldMapping, ObjectSync
from syncadmin.sync.service import run_account

pytestmark = pytest.mark.django_db(transaction=True)


def deals_on(account):
    ObjectSync.objects.filter(account=account, object="deals").update(enabled=True)


def test_currency_syncs_both_ways_in_a_multicurrency_org(connected, sf, hs, sf_client,
                                                         hs_client):
    sf.control.multicurrency(["USD", "EUR"])
    deals_on(connected)
    sf.control.insert("Opportunity", [{"Name": "Euro deal", "StageName": "Prospecting",
                                       "CloseDate": "2026-12-31", "Amount": 500,
                                       "CurrencyIsoCode": "EUR"}])
    hs.control.load({"deals": [{"dealname": "Pound deal", "pipeline": "default",
                                "dealstage": "qualifiedtobuy", "deal_currency_code": "USD",
                                "closedate": "2026-12-24T00:00:00Z"}]})
    run = run_account(connected, kind="full")
    assert run.status == "succeeded", run.message
    deals = {d.properties["dealname"]: d.properties for d in hs_client.crm.deals.basic_api
             .get_page(properties=["dealname", "deal_currency_code"]).results}
    assert deals["Euro deal"]["deal_currency_code"] == "EUR"
    rows = {r["Name"]: r for r in sf_client.query_all(
        "SELECT Name, CurrencyIsoCode FROM Opportunity")["records"]}
    assert rows["Pound deal"]["CurrencyIsoCode"] == "USD"


def test_a_single_currency_org_gets_no_currency_mapping(connected, sf):
    deals_on(connected)
    sf.control.insert("Opportunity", [{"Name": "Plain", "StageName": "Prospecting",
                                       "CloseDate": "2026-12-31"}])
    run = run_account(connected, kind="full")
    assert run.status == "succeeded", run.message
    assert not FieldMapping.objects.filter(account=connected,
                                           hs_property="deal_currency_code").exists()
