"""The coupon pages through HTTP on both databases: the storefront's coupon centre and wallet, the console's
redemption screen (核销) and the back-office campaign editor with its results; who may open which."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from o2o.promotions import service as promotions
from tests.e2e.test_console_support import post_form
from tests.e2e.test_shop_pages import EN, choose_store, form, shop_chain, sign_in, text
from tests.factories.chain import XUJIAHUI_NEAR
from tests.integration.promotions.flow import customer, template

FAR = (31.3500, 121.6000)  # ~20 km from Xujiahui (Pudong, north-east)


@pytest.fixture
def chain(container):  # type: ignore[no-untyped-def]
    return shop_chain(container)


def _claimed_id(container, customer_id: int, template_id: int) -> int:  # type: ignore[no-untyped-def]
    mine = promotions.wallet(container.db, customer_id, container.clock.now())
    return next(c.id for c in mine.usable if c.template_id == template_id)


def test_a_shopper_sees_a_3km_coupon_with_its_store_and_distance_claims_it_and_shows_its_qr(client, container, chain):
    store = chain.stores["xujiahui"]
    tid = template(container, store_id=store, radius_m=3000)
    everywhere = template(container, name_zh="全场9折", name_en="10% off", kind="percent", pct_off=10, min_fen=0,
                          off_fen=0, cap_fen=2_000, total_qty=50)
    sign_in(client, container, chain.customer)
    choose_store(client, store, XUJIAHUI_NEAR)
    r = client.get("/shop/coupons")
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    page = text(r.text)
    assert "领券中心" in page and "满200减30" in page and "仅限XJH店使用" in page
    assert re.search(r"距您 \d+ m", page) and "门店 3.0 km 范围内的顾客可领" in page
    assert "9折(最多减20)" in page and "剩余 50 张" in page and "每人限领 1 张" in page
    r = form(client, f"/shop/coupons/{tid}/claim")
    assert r.status_code == 303 and r.headers["location"] == f"/shop/coupons?claimed={tid}"
    html = client.get(r.headers["location"]).text
    page = text(html)
    assert "已领取满200减30" in page and "已领 1 张" in page and "已领取，在我的优惠券中" in page
    assert f'action="/shop/coupons/{tid}/claim"' not in html and f'action="/shop/coupons/{everywhere}/claim"' in html
    # the wallet: usable with its code, and the code's own page with the QR for the till
    wallet = client.get("/shop/coupons/mine")
    assert wallet.status_code == 200
    coupon_id = _claimed_id(container, chain.customer, tid)
    code = promotions.wallet(container.db, chain.customer, container.clock.now()).usable[0].code_display
    assert "满200减30" in wallet.text and code in wallet.text and f"/shop/coupons/mine/{coupon_id}" in wallet.text
    qr = client.get(f"/shop/coupons/mine/{coupon_id}")
    assert qr.status_code == 200 and "<svg" in qr.text and code in qr.text and "data-coupon-qr" in qr.text
    assert "不能使用" not in qr.text
    assert everywhere != tid
    # English
    assert "Coupon centre" in client.get("/shop/coupons", headers=EN).text


def test_a_claim_says_why_it_was_refused_gone_limit_tier_or_too_far(client, container, chain):
    store = chain.stores["xujiahui"]
    sign_in(client, container, chain.customer)
    choose_store(client, store, XUJIAHUI_NEAR)
    once = template(container)
    assert form(client, f"/shop/coupons/{once}/claim").status_code == 303
    r = form(client, f"/shop/coupons/{once}/claim")
    assert r.status_code == 409 and "您已达到此券的每人限领数量" in text(r.text)
    # the last one taken by someone else
    last = template(container, total_qty=1, name_zh="满300减50", min_fen=30_000, off_fen=5_000)
    promotions.claim(container.uow(), customer(container, 1), last)
    r = form(client, f"/shop/coupons/{last}/claim")
    assert r.status_code == 409 and "这张券刚刚被领完了" in text(r.text)
    # gold members only
    gold = template(container, tier_codes=["gold"], name_zh="金卡专享")
    assert "金卡专享" not in client.get("/shop/coupons").text  # the centre lists what one may claim
    r = form(client, f"/shop/coupons/{gold}/claim")
    assert r.status_code == 403 and "此券仅限" in text(r.text) and "领取" in text(r.text)
    # an LBS coupon of a store 20 km away from where the shopper is
    far = template(container, store_id=chain.stores["PD1"], radius_m=3000, name_zh="浦东专享")
    r = form(client, f"/shop/coupons/{far}/claim")
    assert r.status_code == 403 and "您距离门店太远" in text(r.text) and "PD1店" in text(r.text)
    r = form(client, f"/shop/coupons/{far}/claim", headers=EN)
    assert "too far away" in text(r.text)
    # nothing was issued by the refusals
    mine = promotions.wallet(container.db, chain.customer, container.clock.now())
    assert [c.template_id for c in mine.usable] == [once]
    # unknown or huge template ids
    assert form(client, "/shop/coupons/999999/claim").status_code == 404
    assert form(client, f"/shop/coupons/{2**70}/claim").status_code in (404, 422)


def test_the_wallet_shows_used_and_expired_and_hides_other_peoples_coupons(client, container, chain, clock):
    sign_in(client, container, chain.customer)
    tid = template(container, valid_days=1)
    promotions.claim(container.uow(), chain.customer, tid)
    mine = _claimed_id(container, chain.customer, tid)
    someone = customer(container, 2)
    promotions.claim(container.uow(), someone, tid)
    theirs = _claimed_id(container, someone, tid)
    assert client.get(f"/shop/coupons/mine/{theirs}").status_code == 404
    assert client.get("/shop/coupons/mine/99999999").status_code == 404
    clock.advance(days=2)
    page = text(client.get("/shop/coupons/mine?tab=expired").text)
    assert "满200减30" in page and "已过期" in page
    assert "没有可用的优惠券" in text(client.get("/shop/coupons/mine").text)
    r = client.get(f"/shop/coupons/mine/{mine}")
    assert r.status_code == 200 and "此券已不能使用" in text(r.text)


def test_the_coupon_pages_need_a_signed_in_customer(client, container, chain, auth):
    r = client.get("/shop/coupons", follow_redirects=False)
    assert r.status_code in (303, 307) and "/shop/signin" in r.headers["location"]
    assert client.get("/shop/coupons/mine", follow_redirects=False).status_code in (303, 307, 401)
    clerk = auth.staff("clerk", store_id=chain.stores["xujiahui"])
    assert client.get("/shop/coupons/mine", headers=clerk, follow_redirects=False).status_code in (401, 403)


# --- the store console ------------------------------------------------------------------------------


def _clerk_with_coupon(container, auth, chain, **kw):  # type: ignore[no-untyped-def]
    store = chain.stores["xujiahui"]
    tid = template(container, **kw)
    owner = customer(container, 7, home=XUJIAHUI_NEAR)
    promotions.claim(container.uow(), owner, tid)
    coupon = promotions.wallet(container.db, owner, container.clock.now()).usable[0]
    return store, auth.staff("clerk", store_id=store), coupon


def test_a_clerk_types_a_code_sees_the_coupon_masked_and_redeems_it_once(client, container, chain, auth):
    store, clerk, coupon = _clerk_with_coupon(container, auth, chain, kind="gift", gift_sku_id=chain.skus["milk"],
                                              min_fen=0, off_fen=0, name_zh="到店领牛奶", name_en="Free milk",
                                              channel="till")
    page = client.get(f"/console/{store}/coupons", headers=clerk)
    assert page.status_code == 200 and "核销优惠券" in page.text and 'data-prefix="O2O-COUPON:"' in page.text
    r = post_form(client, f"/console/{store}/coupons", clerk, code=coupon.code_display.lower().replace("-", " "))
    assert r.status_code == 200, r.text
    html = text(r.text)
    assert "到店领牛奶" in html and "136****0007" in html and "13600000007" not in html and "核销此券" in html
    r = post_form(client, f"/console/{store}/coupons/redeem", clerk, code=coupon.code_display, idem="x" * 20)
    assert r.status_code == 303 and "redeemed=" in r.headers["location"]
    done = client.get(r.headers["location"], headers=clerk)
    assert "已核销" in text(done.text) and coupon.code_display in done.text
    # the same code again: used
    r = post_form(client, f"/console/{store}/coupons", clerk, code=coupon.code_display)
    assert r.status_code == 409 and "此券已使用" in text(r.text) and "核销此券" not in text(r.text)
    r = post_form(client, f"/console/{store}/coupons/redeem", {**clerk, **EN}, code=coupon.code_display,
                  idem="y" * 20)
    assert r.status_code == 409 and "already been used" in text(r.text)


def test_a_scanned_qr_is_looked_up_and_wrong_codes_say_no_such_coupon(client, container, chain, auth):
    store, clerk, coupon = _clerk_with_coupon(container, auth, chain, kind="service", min_fen=0, off_fen=0,
                                              name_zh="免费熨烫", name_en="Free ironing")
    r = post_form(client, f"/console/{store}/coupons", clerk, scan=f"O2O-COUPON:{coupon.code}")
    assert r.status_code == 200 and "免费熨烫" in r.text
    r = post_form(client, f"/console/{store}/coupons", {**clerk, **EN}, scan="https://example.com/x")
    assert r.status_code == 404 and "coupon QR is unknown" in text(r.text)
    r = post_form(client, f"/console/{store}/coupons", {**clerk, **EN}, code="ABCD-EFGH-JKMN-PQ")
    assert r.status_code == 404 and "No such coupon" in text(r.text)
    r = post_form(client, f"/console/{store}/coupons", clerk, code="x" * 199)
    assert r.status_code == 404


def test_a_threshold_coupon_asks_for_the_bill_and_a_3km_coupon_is_refused_at_another_store(client, container,
                                                                                             chain, auth):
    store, clerk, coupon = _clerk_with_coupon(container, auth, chain, store_id=chain.stores["xujiahui"],
                                              radius_m=3000)
    r = post_form(client, f"/console/{store}/coupons", clerk, code=coupon.code)
    assert r.status_code == 200 and 'name="bill"' in r.text
    r = post_form(client, f"/console/{store}/coupons/redeem", clerk, code=coupon.code, bill="abc", idem="z" * 20)
    assert r.status_code == 422 and "请输入账单金额" in text(r.text)
    r = post_form(client, f"/console/{store}/coupons/redeem", clerk, code=coupon.code, bill="100", idem="z" * 20)
    assert r.status_code == 409 and "账单未达到此券的使用门槛" in text(r.text)
    other = chain.stores["jingan"]
    other_clerk = auth.staff("clerk", store_id=other)
    r = post_form(client, f"/console/{other}/coupons", other_clerk, code=coupon.code)
    assert r.status_code in (404, 409) and ("不适用于本门店" in text(r.text) or "没有这张优惠券" in text(r.text))
    r = post_form(client, f"/console/{other}/coupons/redeem", other_clerk, code=coupon.code, bill="250", idem="w" * 20)
    assert r.status_code in (404, 409)
    r = post_form(client, f"/console/{store}/coupons/redeem", clerk, code=coupon.code, bill="250", idem="v" * 20)
    assert r.status_code == 303 and "off=3000" in r.headers["location"]
    assert "请从账单中减去 ¥30.00" in text(client.get(r.headers["location"], headers=clerk).text)


def test_the_console_coupon_pages_stay_in_the_clerks_store_and_refuse_customers(client, container, chain, auth):
    store, clerk, coupon = _clerk_with_coupon(container, auth, chain)
    other = chain.stores["jingan"]
    assert client.get(f"/console/{other}/coupons", headers=clerk).status_code == 404
    assert post_form(client, f"/console/{other}/coupons", clerk, code=coupon.code).status_code == 404
    customer_headers = auth.customer(chain.customer)
    assert client.get(f"/console/{store}/coupons", headers=customer_headers).status_code == 403
    assert post_form(client, f"/console/{store}/coupons/redeem", customer_headers,
                     code=coupon.code).status_code == 403
    analyst = auth.staff("analyst")
    assert client.get(f"/console/{store}/coupons", headers=analyst).status_code == 403


def test_guessing_codes_in_the_console_is_cut_off_after_ten_misses(client, container, chain, auth):
    store, clerk, coupon = _clerk_with_coupon(container, auth, chain)
    for i in range(10):
        assert post_form(client, f"/console/{store}/coupons", clerk, code=f"ABCD-EFGH-JKMN-{i:02d}").status_code == 404
    r = post_form(client, f"/console/{store}/coupons", clerk, code=coupon.code)
    assert r.status_code == 429 and "查询过于频繁" in text(r.text)


# --- the back-office --------------------------------------------------------------------------------


def _admin_form(client, path, headers, **fields):  # type: ignore[no-untyped-def]
    return post_form(client, path, headers, **fields)


def _coupon_fields(**kw):  # type: ignore[no-untyped-def]
    values = {"what": "coupon", "kind": "threshold", "name_zh": "满200减30", "name_en": "30 off 200",
              "min_fen": "200", "off_fen": "30", "channel": "both", "claim_from": "2026-11-01T09:00",
              "claim_until": "2027-01-01T09:00", "valid_days": "7", "total_qty": "100", "per_customer_limit": "1",
              "radius_m": "3000", "on_cancel": "restore", "auto_issue": "none", "claimable": "1", "active": "1",
              "budget_fen": "3000"}
    values.update(kw)
    return values


def test_an_operator_creates_a_coupon_with_field_errors_first_then_issues_it_and_sees_results(client, container,
                                                                                              chain, auth):
    op = auth.staff("operator")
    r = client.get("/admin/campaigns", headers=op)
    assert r.status_code == 200 and "营销活动" in r.text and 'href="/admin/campaigns"' in r.text
    assert client.get("/admin/campaigns/new?kind=coupon", headers=op).status_code == 200
    assert client.get("/admin/campaigns/new?kind=promotion", headers={**op, **EN}).status_code == 200
    bad = _coupon_fields(name_zh="", min_fen="two hundred", claim_until="tomorrow", sku_ids="1, x", off_fen="30")
    r = _admin_form(client, "/admin/campaigns", op, **bad)
    assert r.status_code == 422
    html = r.text
    assert 'id="e-f-min_fen"' in html and "请输入金额" in html
    assert 'id="e-f-claim_until"' in html and 'id="e-f-sku_ids"' in html and 'id="e-f-name_zh"' in html
    assert 'value="two hundred"' in html  # what was typed is kept
    # the schema's rule: a threshold needs its amount off below the threshold
    assert "此类型的规则不完整" not in html and 'id="e-f-kind"' not in html  # the bad amount only, not the rule it breaks
    r = _admin_form(client, "/admin/campaigns", op, **_coupon_fields(min_fen="20", off_fen="30"))
    assert r.status_code == 422 and 'id="e-f-off_fen"' in r.text and "不超过门槛的减免金额" in r.text
    r = _admin_form(client, "/admin/campaigns", op, **_coupon_fields(valid_days=""))
    assert r.status_code == 422 and 'id="e-f-valid_days"' in r.text and "请填写固定有效期或有效天数" in r.text
    r = _admin_form(client, "/admin/campaigns", op,
                    **_coupon_fields(store_id=str(chain.stores["xujiahui"]), tier_codes="gold"))
    assert r.status_code == 303, r.text
    where = r.headers["location"]
    tid = int(re.search(r"/admin/campaigns/coupon/(\d+)", where).group(1))
    t = promotions.template(container.db, tid)
    assert (t.min_fen, t.off_fen, t.budget_fen, t.total_qty, t.store_id, t.tier_codes) == \
        (20_000, 3_000, 300_000, 100, chain.stores["xujiahui"], ["gold"])
    assert t.claim_from.isoformat().startswith("2026-11-01T01:00")  # 09:00 in Shanghai
    edit = client.get(where, headers=op)
    assert edit.status_code == 200 and "已创建" in edit.text and 'value="200"' in edit.text
    # edit: the label changes
    r = _admin_form(client, where.split("?")[0], op, **_coupon_fields(label_zh="满200减30元", tier_codes=""))
    assert r.status_code == 303 and promotions.template(container.db, tid).label_zh == "满200减30元"
    # issue to a list of customers
    a, b = customer(container, 11), customer(container, 12)
    r = _admin_form(client, f"/admin/campaigns/coupon/{tid}/issue", op, customer_ids=f"{a}, {b}\n999999",
                    idem="k" * 20)
    assert r.status_code == 303 and "issued=2" in r.headers["location"] and "skipped=1" in r.headers["location"]
    assert "已发放 2 张" in text(client.get(r.headers["location"], headers=op).text)
    r = _admin_form(client, f"/admin/campaigns/coupon/{tid}/issue", op, customer_ids="", segment="")
    assert r.status_code == 422 and "请填写顾客编号或选择人群" in r.text
    # results
    res = client.get(f"/admin/campaigns/coupon/{tid}/results", headers=op)
    assert res.status_code == 200 and 'data-kpi="issued">2<' in res.text and 'data-kpi="redeemed">0<' in res.text
    assert "hbar" in res.text
    listed = client.get("/admin/campaigns", headers=op).text
    assert f'data-template="{tid}"' in listed and "2 / 100" in listed


def test_an_operator_creates_an_automatic_promotion_and_sees_its_results(client, container, chain, auth):
    op = auth.staff("operator")
    fields = {"what": "promotion", "kind": "nth_discount", "name_zh": "第二件半价", "name_en": "Second half price",
              "nth": "2", "pct_off": "50", "channel": "online", "starts_at": "2026-11-01T00:00",
              "ends_at": "2026-11-30T00:00", "active": "1", "sku_ids": str(chain.skus["milk"])}
    r = post_form(client, "/admin/campaigns", op, **{**fields, "ends_at": "2026-10-01T00:00"})
    assert r.status_code == 422 and 'id="e-f-ends_at"' in r.text and "结束时间必须晚于开始时间" in r.text
    r = post_form(client, "/admin/campaigns", op, **{**fields, "nth": "1"})
    assert r.status_code == 422 and 'id="e-f-nth"' in r.text
    r = post_form(client, "/admin/campaigns", op, **fields)
    assert r.status_code == 303
    pid = int(re.search(r"/admin/campaigns/promotion/(\d+)", r.headers["location"]).group(1))
    assert promotions.promotion(container.db, pid).sku_ids == [chain.skus["milk"]]
    res = client.get(f"/admin/campaigns/promotion/{pid}/results", headers={**op, **EN})
    assert res.status_code == 200 and "Results: Second half price" in res.text and "Nothing yet" in res.text
    assert client.get("/admin/campaigns/promotion/999999", headers=op).status_code == 404
    assert client.get("/admin/campaigns/nonsense/1", headers=op).status_code == 404


def test_campaign_pages_need_promotions_manage(client, container, chain, auth):
    tid = template(container)
    for path in ("/admin/campaigns", "/admin/campaigns/new", f"/admin/campaigns/coupon/{tid}",
                 f"/admin/campaigns/coupon/{tid}/results"):
        assert client.get(path, headers=auth.customer(chain.customer), follow_redirects=False).status_code == 403
        assert client.get(path, headers=auth.staff("analyst"), follow_redirects=False).status_code == 403
        clerk = auth.staff("clerk", store_id=chain.stores["xujiahui"])
        assert client.get(path, headers=clerk, follow_redirects=False).status_code in (303, 403)
    r = post_form(client, "/admin/campaigns", auth.customer(chain.customer), **_coupon_fields())
    assert r.status_code == 403
    r = post_form(client, f"/admin/campaigns/coupon/{tid}/issue", auth.staff("analyst"), customer_ids="1")
    assert r.status_code == 403
    assert promotions.template(container.db, tid).issued_qty == 0
    assert timedelta  # noqa: B018
