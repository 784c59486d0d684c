"""The allocation card is about the account (issue 17, defect 8): no "Retry these records",
no record row; it says what was used and offers what fixes it: raise the allocation, or
wait until calls leave the 24-hour window."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from connectors.errors import Kind
from syncadmin.sync.models import Direction, SyncError
from syncadmin.usage.models import ApiUsage

pytestmark = pytest.mark.django_db


def test_allocation_panel_offers_raise_or_wait_and_no_records(admin_client, account):
    SyncError.objects.create(account=account, link=None, kind=Kind.ALLOCATION_REACHED,
                             object="contacts", direction=Direction.TO_SF,
                             record_label=str(account), message="Allocation reached")
    first = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(hours=20)
    ApiUsage.objects.create(account=account, remote="salesforce", endpoint="query",
                            minute=first, calls=40)
    ApiUsage.objects.create(account=account, remote="salesforce", endpoint="query",
                            minute=first + dt.timedelta(hours=2), calls=10)
    dash = admin_client.get(reverse("health:dashboard", kwargs={"account_id": account.pk}))
    assert "The whole account" in dash.content.decode()
    panel = admin_client.get(reverse("health:errors", kwargs={
        "account_id": account.pk, "kind": "allocation_reached"}), HTTP_HX_REQUEST="true")
    html = panel.content.decode()
    assert "Retry these records" not in html and 'class="error-list"' not in html
    assert "Raise the allocation" in html and "#id_allocation" in html
    assert "Or wait: calls start to free up at" in html
    from django.utils.formats import date_format

    expected = date_format(timezone.localtime(first + dt.timedelta(days=1, minutes=1)),
                           "SHORT_DATETIME_FORMAT")
    assert expected in html  # when the oldest calls leave the window


def test_record_cards_keep_their_retry(admin_client, account):
    from syncadmin.sync.models import RecordLink

    link = RecordLink.objects.create(account=account, object="contacts", hs_id="1",
                                     label="ann@x.io")
    SyncError.objects.create(account=account, link=link, kind=Kind.INVALID_EMAIL,
                             object="contacts", direction=Direction.TO_SF,
                             record_label="ann@x.io", message="bad")
    html = admin_client.get(reverse("health:errors", kwargs={
        "account_id": account.pk, "kind": "invalid_email"}), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Retry these records" in html and "ann@x.io" in html
    assert "Raise the allocation" not in html
