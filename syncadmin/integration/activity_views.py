"""The Activities tab's property mappings per Salesforce kind (FEATURES G5): edit a mapping,
turn it off, remove it, and "Add new mapping". Views only save settings; the sync reads them
at its next run (J3)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from syncadmin.accounts.access import account_for
from syncadmin.integration import choices as c
from syncadmin.integration.models import ActivityMapping
from syncadmin.sync.objects import activities as spec
from syncadmin.sync.pipeline.activities.stage import ensure_mappings

API_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


class ActivityMappingForm(forms.ModelForm):
    class Meta:
        model = ActivityMapping
        fields = ["sf_field", "hs_property", "enabled"]
        labels = {"sf_field": gettext_lazy("Salesforce field"),
                  "hs_property": gettext_lazy("HubSpot property")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:  # a table row: its inputs belong to the row's own form element
            for f in self.fields.values():
                f.widget.attrs["form"] = f"activity-mapping-form-{self.instance.pk}"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("sf_field", "hs_property"):
            value = (data.get(name) or "").strip()
            if value and not API_NAME.match(value):
                self.add_error(name, _("Use the field's API name (letters, digits, _)."))
            elif value.lower() in spec.OWNER_FIELDS:
                self.add_error(name, _("Activity owners are not synced."))
        if data.get("hs_property") == "salesforce_id":
            self.add_error("hs_property", _("This property carries the Salesforce id."))
        return data

    def validate_unique(self) -> None:
        inst = self.instance
        prop = self.cleaned_data.get("hs_property")
        clash = ActivityMapping.objects.filter(account=inst.account, kind=inst.kind,
                                               hs_property=prop).exclude(pk=inst.pk)
        if prop and clash.exists():
            self.add_error("hs_property", _("This property is already mapped."))


def mapping_context(account: Any, kind: str) -> dict[str, Any]:
    """What the Activities tab shows of a kind's mappings (defaults made on first view)."""
    rows = ensure_mappings(account, kind)
    return {
        "activity_mappings": [
            {"row": r, "form": ActivityMappingForm(instance=r, prefix=f"m{r.pk}"),
             "url": reverse("integration:activity_mapping",
                            kwargs={"account_id": account.pk, "pk": r.pk})}
            for r in sorted(rows, key=lambda r: r.pk)],
        "activity_mapping_add_form": ActivityMappingForm(prefix="new"),
        "activity_mapping_add_url": reverse("integration:activity_mapping_add",
                                            kwargs={"account_id": account.pk, "kind": kind}),
    }


def _back(account: Any, kind: str) -> HttpResponse:
    url = reverse("integration:sf_activity", kwargs={"account_id": account.pk, "kind": kind})
    return redirect(f"{url}#activity-mappings")


@login_required
@require_POST
def activity_mapping_add(request: HttpRequest, account_id: int, kind: str) -> HttpResponse:
    account = account_for(request, account_id, change=True)
    if kind not in c.SfActivityKind.values:
        raise Http404
    form = ActivityMappingForm(request.POST, prefix="new",
                               instance=ActivityMapping(account=account, kind=kind))
    if form.is_valid():
        form.save()
        messages.success(request, _("Mapping added."))
    else:
        _refused(request, form)
    return _back(account, kind)


@login_required
@require_POST
def activity_mapping(request: HttpRequest, account_id: int, pk: int) -> HttpResponse:
    account = account_for(request, account_id, change=True)
    row = get_object_or_404(ActivityMapping, account=account, pk=pk)
    if "remove" in request.POST:
        row.delete()
        messages.success(request, _("Mapping removed."))
        return _back(account, row.kind)
    form = ActivityMappingForm(request.POST, instance=row, prefix=f"m{row.pk}")
    if form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
    else:
        _refused(request, form)
    return _back(account, row.kind)


def _refused(request: HttpRequest, form: ActivityMappingForm) -> None:
    """Errors travel with the redirect (the tab renders them as messages)."""
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for e in errors:
            messages.error(request, f"{label}: {e}" if label else str(e))
