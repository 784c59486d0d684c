"""Arranging object settings and reading companies, deals, tickets and associations back
through the real clients (hubspot-api-client, simple-salesforce) and the product's tables."""

from __future__ import annotations

from typing import Any

from syncadmin.integration.models import ContactSettings, FieldMapping, ObjectSync
from syncadmin.sync.models import RecordLink

HS_PROPS = {
    "companies": ("name", "domain", "phone", "industry", "salesforce_id"),
    "deals": ("dealname", "amount", "closedate", "dealstage", "pipeline", "salesforce_id"),
    "tickets": ("subject", "content", "hs_pipeline_stage", "hs_ticket_priority",
                "hs_pipeline", "salesforce_id"),
    "contacts": ("email", "lastname", "salesforce_id"),
}


def enable(account: Any, *keys: str, **fields: Any) -> None:
    """Turn these objects' sync on (with other ObjectSync fields) and the rest off."""
    ObjectSync.objects.filter(account=account).update(enabled=False)
    for key in keys:
        configure(account, key, enabled=True, **fields)


def configure(account: Any, key: str, **fields: Any) -> None:
    """Saved as the tab saves it (a changed conflict app moves the object's mappings)."""
    row = ObjectSync.objects.get(account=account, object=key)
    for name, value in fields.items():
        setattr(row, name, value)
    row.save()


def contacts_as(account: Any, target: str) -> None:
    ContactSettings.objects.filter(account=account).update(hs_to_sf_object=target)


def two_way(account: Any, key: str, hs_property: str) -> None:
    FieldMapping.objects.filter(account=account, object=key,
                                hs_property=hs_property).update(sync_rule="two_way")


def api(hs_client: Any, hs_type: str) -> Any:
    return getattr(hs_client.crm, hs_type).basic_api


def hs_all(hs_client: Any, hs_type: str, archived: bool = False) -> list[dict[str, Any]]:
    """Every record of an object type as {property: value, "id": id}."""
    out, after = [], None
    while True:
        page = api(hs_client, hs_type).get_page(limit=100, after=after, archived=archived,
                                                properties=list(HS_PROPS[hs_type]))
        out += [r.properties | {"id": r.id} for r in page.results]
        if not page.paging or not page.paging.next:
            return out
        after = page.paging.next.after


def hs_one(hs_client: Any, hs_type: str) -> dict[str, Any]:
    [record] = hs_all(hs_client, hs_type)
    return record


def hs_get(hs_client: Any, hs_type: str, hs_id: str) -> dict[str, Any]:
    r = api(hs_client, hs_type).get_by_id(hs_id, properties=list(HS_PROPS[hs_type]))
    return r.properties | {"id": r.id}


def hs_assoc(hs_client: Any, from_type: str, from_id: str, to_type: str) -> list[str]:
    """Ids of `to_type` records associated with one record (v4 associations API)."""
    page = hs_client.crm.associations.v4.basic_api.get_page(from_type, from_id, to_type,
                                                            limit=500)
    return sorted(str(r.to_object_id) for r in page.results)


def hs_associate(hs_client: Any, from_type: str, from_id: str, to_type: str,
                 to_id: str) -> None:
    hs_client.crm.associations.v4.basic_api.create_default(from_type, from_id, to_type, to_id)


def sf_all(sf_client: Any, obj: str, fields: str, where: str = "") -> list[dict[str, Any]]:
    soql = f"SELECT {fields} FROM {obj}" + (f" WHERE {where}" if where else "")
    return [{k: v for k, v in r.items() if k != "attributes"}
            for r in sf_client.query_all(soql)["records"]]


def link(account: Any, key: str, **where: Any) -> RecordLink:
    return RecordLink.objects.get(account=account, object=key, **where)
