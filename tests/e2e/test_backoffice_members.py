"""The back-office member list (filters, CSV), a member's 360 profile and the merge button."""

from __future__ import annotations

import csv
import io

from o2o.customers import service as customers
from o2o.customers.schemas import CustomerIn
from tests.e2e.test_console_support import EN, ZH, csrf, paid_pickup, shop


def _post(client, path, headers, **fields):  # type: ignore[no-untyped-def]
    data = {"csrf_token": csrf(client), **{k: str(v) for k, v in fields.items()}}
    return client.post(path, data=data, headers=headers, follow_redirects=False)


def test_the_member_list_filters_and_exports(client, container, auth):
    s = shop(container, auth)
    paid_pickup(client, s)
    quiet = customers.create(container.uow(), CustomerIn(name="李四", phone="13600000001")).id
    ops = auth.staff("operator")
    html = client.get("/admin/members", headers={**ops, **EN}).text
    assert "Members" in html and f'href="/admin/members/{s.chain.customer}"' in html
    assert f'href="/admin/members/{quiet}"' in html
    assert "13800138000" in html  # the operator holds pii:read: unmasked (audited, see below)
    with_orders = client.get("/admin/members", params={"orders": "yes"}, headers=ops).text
    assert f'/admin/members/{s.chain.customer}"' in with_orders and f'/admin/members/{quiet}"' not in with_orders
    without = client.get("/admin/members", params={"orders": "no"}, headers=ops).text
    assert f'/admin/members/{quiet}"' in without and f'/admin/members/{s.chain.customer}"' not in without
    by_channel = client.get("/admin/members", params={"channel": "pos"}, headers=ops).text
    assert f'/admin/members/{s.chain.customer}"' not in by_channel
    normal = client.get("/admin/members", params={"tier": "normal"}, headers=ops).text
    assert f'/admin/members/{quiet}"' in normal
    gold = client.get("/admin/members", params={"tier": "gold"}, headers=ops).text
    assert f'/admin/members/{quiet}"' not in gold
    joined = client.get("/admin/members", params={"from": "2026-11-25"}, headers=ops).text  # clock: 11-24
    assert f'/admin/members/{quiet}"' not in joined
    assert client.get("/admin/members", params={"tier": "platinum"}, headers=ops).status_code == 422
    assert client.get("/admin/members", params={"from": "2026-11-25", "to": "2026-11-01"},
                      headers=ops).status_code == 422
    r = client.get("/admin/members.csv", params={"orders": "yes"}, headers={**ops, **ZH})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text.lstrip("\ufeff"))))
    assert rows[0][0] == "会员" and [row[0] for row in rows[1:]] == [str(s.chain.customer)]
    assert rows[1][2] == "13800138000"
    # not for store staff (the back-office is head office's) nor customers
    assert client.get("/admin/members", headers=s.clerk, follow_redirects=False).status_code == 303
    assert client.get("/admin/members", headers=s.customer).status_code == 403


def test_an_operator_merges_a_duplicate_from_the_profile_page(client, container, auth):
    s = shop(container, auth)
    dup = customers.create(container.uow(), CustomerIn(name="张三", phone="13600000002")).id
    ops = auth.staff("operator")
    html = client.get(f"/admin/members/{s.chain.customer}", headers={**ops, **EN}).text
    assert "Merge a duplicate into this member" in html and "13800138000" in html  # pii:read, audited
    r = _post(client, f"/admin/members/{s.chain.customer}/merge", ops, merged_id=dup, reason="same person")
    assert r.status_code == 303 and r.headers["location"] == f"/admin/members/{s.chain.customer}?merged={dup}"
    html = client.get(r.headers["location"], headers={**ops, **EN}).text
    assert f"Member {dup} was merged into this one." in html and "same person" in html
    merges = client.get(f"/api/v1/customers/{s.chain.customer}/merges", headers=ops).json()
    assert [m["merged_id"] for m in merges] == [dup]
    # again (already merged into this one): the first merge stands; into itself or unknown: refused
    assert _post(client, f"/admin/members/{s.chain.customer}/merge", ops, merged_id=dup).status_code == 303
    assert _post(client, f"/admin/members/{s.chain.customer}/merge", ops,
                 merged_id=s.chain.customer).status_code == 409
    assert _post(client, f"/admin/members/{s.chain.customer}/merge", ops, merged_id=999999).status_code == 404
    assert _post(client, f"/admin/members/{s.chain.customer}/merge", ops, merged_id="abc").status_code == 422
    assert _post(client, "/admin/members/999999/merge", ops, merged_id=dup).status_code == 404
    # an analyst reads members but cannot merge: no button, and the POST is refused
    analyst = auth.staff("analyst")
    html = client.get(f"/admin/members/{s.chain.customer}", headers={**analyst, **EN}).text
    assert "Merge a duplicate" not in html and "138****8000" in html
    assert _post(client, f"/admin/members/{s.chain.customer}/merge", analyst, merged_id=dup).status_code == 403


def test_member_list_and_export_unmask_phones_for_pii_read_only_and_audit_it(client, container, auth):
    s = shop(container, auth)
    paid_pickup(client, s)
    admin = auth.staff("platform_admin")
    analyst = auth.staff("analyst")  # customers:read without pii:read
    html = client.get("/admin/members", headers={**analyst, **EN}).text
    assert "138****8000" in html and "13800138000" not in html
    r = client.get("/admin/members.csv", headers={**analyst, **ZH})
    rows = list(csv.reader(io.StringIO(r.text.lstrip("\ufeff"))))
    assert "138****8000" in [row[2] for row in rows] and "13800138000" not in r.text
    audit = client.get("/api/v1/audit", params={"action": "pii.read"}, headers=admin).json()["items"]
    assert not [e for e in audit if e["target"].startswith("members,")]  # masked reads are not audited
    ops = auth.staff("operator")
    assert "13800138000" in client.get("/admin/members", headers={**ops, **EN}).text
    assert "13800138000" in client.get("/admin/members.csv", params={"orders": "yes"}, headers=ops).text
    audit = client.get("/api/v1/audit", params={"action": "pii.read"}, headers=admin).json()["items"]
    targets = [e["target"] for e in audit if e["target"].startswith("members,")]
    assert any(t.startswith("members,list page=1") and str(s.chain.customer) in t for t in targets)
    assert any(t == "members,csv orders=yes" for t in targets)
    assert {e["role"] for e in audit if e["target"].startswith("members,")} == {"operator"}


def test_the_profile_names_order_channels_and_statuses_in_both_languages(client, container, auth):
    s = shop(container, auth)
    paid_pickup(client, s)
    ops = auth.staff("operator")
    zh = client.get(f"/admin/members/{s.chain.customer}", headers={**ops, **ZH}).text
    assert "手机网页（H5） · <span data-status=\"paid\">已支付</span>" in zh and "h5 · paid" not in zh
    en = client.get(f"/console/{s.store}/members/{s.chain.customer}", headers={**s.clerk, **EN}).text
    assert "Mobile web (H5) · <span data-status=\"paid\">Paid</span>" in en and "h5 · paid" not in en
