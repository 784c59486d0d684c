from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from syncadmin.accounts.access import account_for
from syncadmin.integration.forms import ContactSettingsForm
from syncadmin.integration.models import AuditEntry


@login_required
@require_http_methods(["GET", "POST"])
def contacts(request: HttpRequest, account_id: int) -> HttpResponse:
    account = account_for(request, account_id, change=request.method == "POST")
    form = ContactSettingsForm(request.POST or None, instance=account.contacts)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, _("Saved."))
            return redirect("integration:contacts", account_id=account.pk)
        status = 400
    else:
        status = 200
    return render(
        request, "integration/contacts.html", {"account": account, "form": form}, status=status
    )


@login_required
def audit_log(request: HttpRequest, account_id: int) -> HttpResponse:
    account = account_for(request, account_id)
    entries = AuditEntry.objects.filter(account=account).select_related("user")[:200]
    return render(request, "integration/audit.html", {"account": account, "entries": entries})
