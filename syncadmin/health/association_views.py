"""The record view's associations panel (FEATURES H8): what a synced record is associated with, on
both sides."""


from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import (
    HttpResponse,
)
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from syncadmin.accounts.access import account_for
from syncadmin.accounts.models import Account
from syncadmin.health import links
from syncadmin.health.views import (
    HtmxHttpRequest,
    _records_context,
    _subnav,
)
from syncadmin.sync import objects as registry
from syncadmin.sync.models import (
    AssociationLink,
    RecordLink,
)


@dataclass
class AssociatedRecord:
    """One row of the associations panel: the record at the other end of an association."""

    kind: str
    kind_label: Any
    object: str  # the other record's object key
    object_label: Any
    label: str
    link_id: int | None  # None while the other record waits to sync
    hs_id: str
    sf_id: str
    hs_url: str
    sf_url: str

    @property
    def pending(self) -> bool:
        return self.link_id is None


def _association_kinds(owner: str) -> dict[str, registry.AssociationSpec]:
    spec = links.spec_for(owner)
    return {a.key: a for a in spec.associations} if spec else {}


def _associated(account: Account, link: RecordLink,
                assoc: AssociationLink) -> AssociatedRecord:
    """The other end of `assoc` as seen from `link`, with its URLs in both systems."""
    owner = assoc.from_link  # select_related: no query
    kind = _association_kinds(owner.object).get(assoc.kind)
    kind_label = (kind.label if kind and kind.label else assoc.kind)
    other = assoc.to_link if assoc.from_link_id == link.pk else owner
    portal, instance = account.hubspot_portal_id, account.sf_instance_url
    if other is None:  # pending: the remote ids wait for the associated record's first sync
        obj = kind.target if kind else ""
        return AssociatedRecord(
            assoc.kind, kind_label, obj, links.object_label(obj, singular=True), "", None,
            assoc.pending_hs_id, assoc.pending_sf_id,
            links.hs_url(portal, obj, assoc.pending_hs_id),
            links.sf_url(instance, obj, assoc.pending_sf_id))
    return AssociatedRecord(
        assoc.kind, kind_label, other.object, links.object_label(other.object, singular=True),
        other.label, other.pk, other.hs_id or "", other.sf_id or "",
        links.hs_url(portal, other.object, other.hs_id),
        links.sf_url(instance, other.object, other.sf_id, other.sf_object))


ASSOCIATIONS_PER_PAGE = 50
RECORD_FILTERS = ("object", "status", "period")
_LINK_FIELDS = ("id", "account_id", "object", "hs_id", "sf_object", "sf_id", "label", "status")


def _associations_context(request: HtmxHttpRequest, account: Account,
                          link_id: int) -> dict[str, Any]:
    link = get_object_or_404(RecordLink.objects.only(*_LINK_FIELDS), pk=link_id,
                             account=account)
    qs = (AssociationLink.objects.filter(account=account)
          .filter(Q(from_link=link) | Q(to_link=link))
          .select_related("from_link", "to_link")
          .only("id", "kind", "from_link_id", "to_link_id", "pending_hs_id", "pending_sf_id",
                *(f"from_link__{f}" for f in _LINK_FIELDS),
                *(f"to_link__{f}" for f in _LINK_FIELDS))
          .order_by("kind", "id"))
    page = Paginator(qs, ASSOCIATIONS_PER_PAGE).get_page(request.GET.get("apage"))
    # The record view's filters ride along, so closing the panel or reloading keeps them.
    query = urlencode({k: request.GET[k] for k in RECORD_FILTERS if request.GET.get(k)})
    return {"account": account, "link": link, "assoc_page": page,
            "associated": [_associated(account, link, a) for a in page],
            "link_hs_url": links.hs_url(account.hubspot_portal_id, link.object, link.hs_id),
            "link_sf_url": links.sf_url(account.sf_instance_url, link.object, link.sf_id,
                                        link.sf_object),
            "panel_query": query}


@login_required
@require_http_methods(["GET"])
def associations(request: HtmxHttpRequest, account_id: int, link_id: int) -> HttpResponse:
    """What a synced record is associated with on both sides (FEATURES H8): the record
    view's side panel for htmx; the whole record view with the panel open otherwise (a
    reload, a shared link, no JavaScript)."""
    account = account_for(request, account_id)
    ctx = _associations_context(request, account, link_id)
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "health/_associations.html", ctx)
    full = _records_context(request, account)
    full.update(ctx)
    return render(request, "health/records.html", _subnav(full, "records"))
