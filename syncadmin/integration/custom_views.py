"""The Custom objects tab (FEATURES E3): pick a Salesforce custom object from the org's
describe, turn its one-way sync on, set its deletion rule and initial-sync filter, and
edit its field mappings. Nothing else is offered: the engine reads nothing else.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from syncadmin.accounts.access import account_for
from syncadmin.accounts.models import Account
from syncadmin.integration import catalogue
from syncadmin.integration import choices as c
from syncadmin.integration.forms import CustomObjectAddForm, CustomObjectForm
from syncadmin.integration.models import FieldMapping, ObjectSync
from syncadmin.integration.ui import make_unit
from syncadmin.integration.views import _autosave, _is_htmx, _page
from syncadmin.sync.objects import custom

UNITS = ("enabled", "sf_deletion", "sf_filter")


def _rows(account: Account) -> list[ObjectSync]:
    return list(ObjectSync.objects.filter(account=account, object=c.SyncObject.CUSTOM)
                .order_by("sf_object"))


def _form(account: Account, row: ObjectSync, data: Any = None) -> CustomObjectForm:
    fields = catalogue.sf_fields(account, row.sf_object)
    return CustomObjectForm(data, instance=row, sf_fields=fields)


def _items(account: Account, rows: list[ObjectSync],
           override: dict[int, CustomObjectForm] | None = None) -> list[dict[str, Any]]:
    counts = {key: 0 for key in (custom.key_for(r.sf_object) for r in rows)}
    for key in FieldMapping.objects.filter(account=account, object__in=list(counts)
                                           ).values_list("object", flat=True):
        counts[key] += 1
    items = []
    for row in rows:
        form = (override or {}).get(row.pk) or _form(account, row)
        key = custom.key_for(row.sf_object)
        items.append({
            "row": row, "units": [make_unit(form, n) for n in UNITS],
            "url": reverse("integration:custom_object",
                           kwargs={"account_id": account.pk, "pk": row.pk}),
            "mappings_url": reverse("integration:mappings",
                                    kwargs={"account_id": account.pk, "object": key}),
            "mapping_count": counts[key],
        })
    return items


def _render(request: HttpRequest, account: Account, add_form: CustomObjectAddForm,
            notice: str | None, override: dict[int, CustomObjectForm] | None = None,
            status: int = 200) -> HttpResponse:
    rows = _rows(account)
    return _page(request, account, "integration/custom_objects.html",
                 {"items": _items(account, rows, override), "add_form": add_form,
                  "catalogue_notice": notice,
                  "can_add": bool(add_form.fields["sf_object"].choices[1:])},  # type: ignore[attr-defined]
                 "custom", status)


def _add_form(account: Account, data: Any = None) -> tuple[CustomObjectAddForm, str | None]:
    choices, notice = catalogue.sf_custom_objects(account)
    taken = {r.sf_object for r in _rows(account)}
    new = ObjectSync(account=account)
    form = CustomObjectAddForm(data, instance=new, prefix="new",
                               choices=[(n, lbl) for n, lbl in choices if n not in taken])
    return form, notice


@login_required
@require_http_methods(["GET", "POST"])
def custom_objects(request: HttpRequest, account_id: int) -> HttpResponse:
    account = account_for(request, account_id, change=request.method == "POST")
    add_form, notice = _add_form(account, request.POST or None)
    if request.method == "POST":
        if add_form.is_valid():
            add_form.save()
            messages.success(request, _("Custom object added. Turn its sync on when its "
                                        "mappings are as you want them."))
            return redirect("integration:custom_objects", account_id=account.pk)
        return _render(request, account, add_form, notice, status=400)
    return _render(request, account, add_form, notice)


@login_required
@require_http_methods(["GET", "POST"])
def custom_object(request: HttpRequest, account_id: int, pk: int) -> HttpResponse:
    account = account_for(request, account_id, change=request.method == "POST")
    row = get_object_or_404(ObjectSync, account=account, object=c.SyncObject.CUSTOM, pk=pk)
    url = reverse("integration:custom_object", kwargs={"account_id": account.pk, "pk": pk})
    if _is_htmx(request) and (request.POST.get("_field") or request.GET.get("_field")):
        return _autosave(request, account, CustomObjectForm, row, url,
                         {"sf_fields": catalogue.sf_fields(account, row.sf_object)})
    if request.method != "POST":
        return redirect("integration:custom_objects", account_id=account.pk)
    form = _form(account, row, request.POST)
    if form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
        return redirect("integration:custom_objects", account_id=account.pk)
    add_form, notice = _add_form(account)
    return _render(request, account, add_form, notice, {row.pk: form}, 400)
