"""Merges in the Salesforce emulator (sf_merge docstring): records merged away show in
queryAll as deleted with MasterRecordId set, their related records move to the master, and the
master fills its blanks from them. Merged through the control API (merge() is SOAP only);
read back through simple-salesforce."""

from __future__ import annotations

import pytest


def test_a_merged_contact_is_deleted_with_its_master_and_its_children_move(sf, sf_client):
    [acc] = sf.control.insert("Account", [{"Name": "Acme"}])
    keep, gone = sf.control.insert("Contact", [
        {"LastName": "Rossi", "Email": "anna@example.it"},
        {"LastName": "Rossi", "FirstName": "Annie", "Title": "CFO", "AccountId": acc}])
    [case] = sf.control.insert("Case", [{"Subject": "Help", "ContactId": gone}])

    out = sf.control.merge("Contact", keep, [gone])

    assert out["id"] == keep and out["mergedRecordIds"] == [gone]
    rows = sf_client.query_all(
        "SELECT Id, IsDeleted, MasterRecordId FROM Contact", include_deleted=True)["records"]
    by_id = {r["Id"]: r for r in rows}
    assert by_id[gone]["IsDeleted"] is True and by_id[gone]["MasterRecordId"] == keep
    assert by_id[keep]["IsDeleted"] is False and by_id[keep]["MasterRecordId"] is None
    live = sf_client.query("SELECT Id FROM Contact")["records"]
    assert [r["Id"] for r in live] == [keep]
    master = sf_client.Contact.get(keep)
    assert master["Email"] == "anna@example.it"  # the master's values stay
    assert master["FirstName"] == "Annie" and master["Title"] == "CFO"  # its blanks fill
    assert master["AccountId"] == acc
    assert sf_client.Case.get(case)["ContactId"] == keep


def test_merge_refuses_other_objects_itself_and_more_than_three(sf):
    a, b, c, d = sf.control.insert("Contact", [{"LastName": f"L{i}"} for i in range(4)])
    [opp_acc] = sf.control.insert("Account", [{"Name": "X"}])
    for obj, master, merged in (("Opportunity", opp_acc, [opp_acc]), ("Contact", a, [a]),
                                ("Contact", a, [b, c, d])):
        with pytest.raises(RuntimeError, match="control merge: 400"):
            sf.control.merge(obj, master, merged)
