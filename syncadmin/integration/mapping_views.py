"""Field mappings of every object (FEATURES F1–F4): the list, the side panel to add or edit
one, and on/off; custom objects' mappings too (E3).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from syncadmin.accounts.access import account_for
from syncadmin.accounts.models import Account
from syncadmin.integration import catalogue, dryrun
from syncadmin.integration import choices as c
from syncadmin.integration.forms import (
    MappingForm,
)
from syncadmin.integration.models import (
    FieldMapping,
    ObjectSync,
)
from syncadmin.integration.views import (
    INVALID,
    _is_htmx,
    _links,
    _object_keys,
    _page,
)
from syncadmin.sync import objects
from syncadmin.sync.objects import ObjectSpec


def _mapped_spec(account: Account, obj: str) -> ObjectSpec:
    """A registry object, or one of the account's custom objects (its HubSpot type)."""
    if objects.custom.is_custom(obj):
        row = ObjectSync.objects.filter(account=account, object=c.SyncObject.CUSTOM,
                                        sf_object=objects.custom.sf_object_of(obj)).first()
        if row is None:
            raise Http404
        from syncadmin.sync.pipeline.custom import spec_of

        return spec_of(row)
    if obj not in _object_keys():
        raise Http404
    return objects.get(obj)


def _catalogues(account: Account, obj: str) -> tuple[list, list, list | None, list[str]]:
    """SF fields, HS properties and (contacts) Lead fields for the mapping panel."""
    spec = _mapped_spec(account, obj)
    sf, sf_notice = catalogue.sf_fields_with_notice(account, spec.sf_object)
    hs, hs_notice = catalogue.hs_properties_with_notice(account, spec.hs_type)
    lead, lead_notice = None, None
    if "Lead" in spec.sf_objects[1:]:
        lead, lead_notice = catalogue.sf_fields_with_notice(account, "Lead")
    notices = sorted({n for n in (sf_notice, hs_notice, lead_notice) if n})
    return sf, hs, lead, notices


def _mappings_page(request: HttpRequest, account: Account, obj: str,
                   panel: dict[str, Any] | None = None, status: int = 200) -> HttpResponse:
    rows = list(FieldMapping.objects.filter(account=account, object=obj))
    return _page(request, account, "integration/mappings.html",
                 {"rows": rows, "object": obj,
                  "object_label": _mapped_spec(account, obj).label,
                  "panel": panel},
                 "custom" if objects.custom.is_custom(obj) else obj, status)


@login_required
def mappings(request: HttpRequest, account_id: int, object: str) -> HttpResponse:
    account = account_for(request, account_id, change=request.method == "POST")
    _mapped_spec(account, object)  # 404 unless the object is the registry's or the account's
    if request.method == "POST":
        return redirect("integration:mappings", account_id=account.pk, object=object)
    return _mappings_page(request, account, object)


def _panel(request: HttpRequest, account: Account, obj: str, instance: FieldMapping,
           action: str) -> HttpResponse:
    sf, hs, lead, notices = _catalogues(account, obj)
    form = MappingForm(request.POST or None, instance=instance, sf_choices=sf, hs_choices=hs,
                       lead_choices=lead, one_way=_mapped_spec(account, obj).one_way)
    preview = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            rule_before = instance._loaded_values.get("sync_rule") if instance.pk else None
            risky = (instance.pk and form.cleaned_data["sync_rule"] == c.SyncRule.ALWAYS_SF
                     and rule_before != c.SyncRule.ALWAYS_SF)
            if risky and not form.cleaned_data.get("confirm"):
                preview = dryrun.always_use_salesforce(_links(account, obj),
                                                       instance.hs_property)
            else:
                form.save()
                messages.success(request, _("Mapping saved."))
                target = reverse("integration:mappings",
                                 kwargs={"account_id": account.pk, "object": obj})
                if _is_htmx(request):
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = target
                    return response
                return redirect(target)
        else:
            status = INVALID if _is_htmx(request) else 400
    panel = {"form": form, "action": action, "notices": notices, "preview": preview,
             "mapping": instance}
    if _is_htmx(request):
        return render(request, "integration/_mapping_panel.html",
                      {"account": account, "panel": panel, "object": obj}, status=status)
    return _mappings_page(request, account, obj, panel, status)


@login_required
def mapping_add(request: HttpRequest, account_id: int, object: str) -> HttpResponse:
    account = account_for(request, account_id, change=request.method == "POST")
    one_way = _mapped_spec(account, object).one_way
    instance = FieldMapping(account=account, object=object, custom=True,
                            sync_rule=c.SyncRule.ALWAYS_SF if one_way else c.SyncRule.PREFER_SF)
    url = reverse("integration:mapping_add", kwargs={"account_id": account.pk,
                                                     "object": object})
    return _panel(request, account, object, instance, url)


@login_required
def mapping_edit(request: HttpRequest, account_id: int, pk: int) -> HttpResponse:
    account = account_for(request, account_id, change=request.method == "POST")
    instance = get_object_or_404(FieldMapping, account=account, pk=pk)
    url = reverse("integration:mapping_edit", kwargs={"account_id": account.pk, "pk": pk})
    return _panel(request, account, instance.object, instance, url)


@login_required
def mapping_toggle(request: HttpRequest, account_id: int, pk: int) -> HttpResponse:
    account = account_for(request, account_id, change=request.method == "POST")
    mapping = get_object_or_404(FieldMapping, account=account, pk=pk)
    if request.method != "POST":
        return redirect("integration:mappings", account_id=account.pk, object=mapping.object)
    error = ""
    saved = False
    if mapping.required:
        error = _("A required mapping cannot be turned off.")
    else:
        mapping.enabled = "enabled" in request.POST
        mapping.save(update_fields=["enabled"])
        saved = True
    if _is_htmx(request):
        return render(request, "integration/_mapping_row.html",
                      {"m": mapping, "account": account, "saved": saved, "error": error},
                      status=200 if saved else INVALID)
    if error:
        messages.error(request, error)
    return redirect("integration:mappings", account_id=account.pk, object=mapping.object)
