# ruff: noqa: F811 (the shared fixtures are imported from test_backoffice_access)
"""/admin/loyalty: tier rules and points rates edited with a preview of their effect on last month's
members, saved with an audit record; only loyalty:manage holders reach it."""

from __future__ import annotations

import re

from o2o.kernel.pagination import PageParams
from o2o.kernel.uow import JoinedUnitOfWork
from o2o.loyalty import service as loyalty
from o2o.orders.schemas import OrderFacts
from tests.e2e.test_backoffice_access import EN, ZH, app, inline_free, staff  # noqa: F401 (fixtures)
from tests.factories.chain import build_chain
from tests.integration.loyalty.flow import member


def _store(container) -> int:  # type: ignore[no-untyped-def]
    return build_chain(container).stores["xujiahui"]


def _spend(container, order_id: int, customer_id: int, fen: int) -> None:  # type: ignore[no-untyped-def]
    with container.uow() as uow:
        loyalty.earn_for_order(JoinedUnitOfWork(uow.session, uow.clock), OrderFacts(
            id=order_id, number=f"SO{order_id}", customer_id=customer_id, status="completed", channel="h5",
            fulfil_location_id=1, subtotal_fen=fen, delivery_fee_fen=0, discount_fen=0, total_fen=fen,
            completed_at=uow.clock.now()))
        uow.commit()


def _form(html: str) -> dict[str, str]:
    values = dict(re.findall(r'<input name="([^"]+)" id="[^"]+" value="([^"]*)"', html))
    for name in re.findall(r'<input type="checkbox" name="([^"]+)" value="1"[^>]*checked', html):
        values[name] = "1"
    return values


def test_operator_previews_then_saves_rules_and_the_save_is_audited(staff, container):
    _spend(container, 1, member(container, 1), 120_000)  # silver now
    _spend(container, 2, member(container, 2), 30_000)  # normal now
    ops = staff("operator")
    r = ops.get("/admin/loyalty")
    assert r.status_code == 200 and inline_free(r.text) and "<h1>Membership and points</h1>" in r.text
    assert "<h1>会员与积分</h1>" in ops.get("/admin/loyalty", ZH).text
    form = _form(r.text)
    assert form["silver.min_spend"] == "1000.00" and form["gold.free_store_delivery"] == "1"
    proposed = {**form, "silver.min_spend": "250.00", "silver.points_multiplier_pct": "200", "action": "preview"}
    r = ops.post("/admin/loyalty", proposed)
    assert r.status_code == 200, r.text[:500]
    assert inline_free(r.text)
    rows = dict(re.findall(r'<tr data-tier="(\w+)">.*?<span class="n-now">(\d+)</span>', r.text, re.S))
    news = dict(re.findall(r'<tr data-tier="(\w+)">.*?<span class="n-new">(\d+)</span>', r.text, re.S))
    assert rows == {"normal": "1", "silver": "1", "gold": "0", "diamond": "0"}
    assert news == {"normal": "0", "silver": "2", "gold": "0", "diamond": "0"}
    assert '<td class="p-now">1740</td>' in r.text  # 1200 x1.2 + 300 x1 under the current rules
    assert '<td class="p-new">3000</td>' in r.text  # both silver at x2
    assert loyalty.get_rules(container.db).tiers[1].min_spend_fen == 100_000  # a preview saves nothing
    r = ops.post("/admin/loyalty", {**proposed, "action": "save"})
    assert r.status_code == 303 and r.headers["location"] == "/admin/loyalty?saved=1"
    assert loyalty.get_rules(container.db).tiers[1].min_spend_fen == 25_000
    log = staff("platform_admin").get("/admin/audit", params={"action": "POST /admin/loyalty"})
    assert log.status_code == 200 and "loyalty_rules" in log.text


def test_bad_rules_are_refused_with_the_fields_marked(staff, container):
    ops = staff("operator")
    form = _form(ops.get("/admin/loyalty").text)
    r = ops.post("/admin/loyalty", {**form, "gold.min_spend": "10.00", "action": "save"})
    assert r.status_code == 422 and "gold must not be easier to reach than silver" in r.text
    r = ops.post("/admin/loyalty", {**form, "redeem_cap_pct": "101", "expiry_days": "x", "action": "save"})
    assert r.status_code == 422 and 'id="expiry_days" value="x" inputmode="numeric" size="8" aria-invalid="true"' in r.text
    assert loyalty.get_rules(container.db).rates.redeem_cap_pct == 50


def test_analysts_do_not_reach_the_rules(staff, container):
    analyst = staff("analyst")
    assert analyst.get("/admin/loyalty").status_code == 403
    assert analyst.post("/admin/loyalty", {"action": "save"}).status_code == 403


def test_operator_adds_a_reward_from_the_page_and_it_is_audited(staff, container):
    ops = staff("operator")
    r = ops.post("/admin/loyalty/rewards", {"kind": "goods", "name_zh": "帆布袋", "name_en": "Tote bag",
                                            "points_cost": "1500", "stock": "20"})
    assert r.status_code == 303 and r.headers["location"].startswith("/admin/loyalty?reward=")
    [reward] = loyalty.rewards(container.db, "en", active_only=False)
    assert (reward.name, reward.points_cost, reward.stock, reward.kind) == ("Tote bag", 1500, 20, "goods")
    page = ops.get(r.headers["location"].split("#")[0], ZH).text
    assert "已添加礼品 帆布袋。" in page and f'data-reward="{reward.id}"' in page and inline_free(page)
    log = staff("platform_admin").get("/admin/audit", params={"action": "POST /admin/loyalty/rewards"})
    assert log.status_code == 200 and f"reward={reward.id}" in log.text
    # each bad field told at the field, nothing added
    r = ops.post("/admin/loyalty/rewards", {"kind": "car", "name_zh": "", "name_en": "x" * 81,
                                            "points_cost": "1" + "0" * 30, "stock": "-1"})
    assert r.status_code == 422
    for field in ("kind", "name_zh", "name_en", "points_cost", "stock"):
        assert f'id="e-rw-{field}"' in r.text, field
    assert "Out of range." in r.text and 'value="Tote bag"' not in r.text
    r = ops.post("/admin/loyalty/rewards", {"kind": "service", "name_zh": "洗车", "name_en": "Car wash",
                                            "points_cost": "abc", "stock": "1.5"})
    assert r.status_code == 422 and "Enter a whole number." in r.text and 'value="洗车"' in r.text
    assert len(loyalty.rewards(container.db, active_only=False)) == 1


def test_operator_adjusts_points_with_a_reason_never_below_zero(staff, container):
    c = member(container, 1)
    ops = staff("operator")
    r = ops.post("/admin/loyalty/points", {"customer_id": str(c), "points": "+500", "note": "补发活动积分"})
    assert r.status_code == 303 and r.headers["location"] == f"/admin/loyalty?adjusted={c}&points=500#adjust"
    assert loyalty.balance_of(container.db, c) == 500
    page = ops.get(f"/admin/loyalty?adjusted={c}&points=500", EN).text
    assert f"Member {c}: points adjusted by 500; balance now 500." in page
    history = loyalty.history(container.db, c, PageParams(page=1, size=10))
    assert (history.entries[0].kind, history.entries[0].note) == ("adjust", "补发活动积分")
    r = ops.post("/admin/loyalty/points", {"customer_id": str(c), "points": "-501", "note": "更正"})
    assert r.status_code == 409 and 'id="e-adj-points"' in r.text and "fewer points" in r.text
    assert loyalty.balance_of(container.db, c) == 500
    r = ops.post("/admin/loyalty/points", {"customer_id": str(c), "points": "-200", "note": "更正"})
    assert r.status_code == 303 and loyalty.balance_of(container.db, c) == 300
    log = staff("platform_admin").get("/admin/audit", params={"action": "POST /admin/loyalty/points"})
    assert log.status_code == 200 and f"customer={c}" in log.text
    # someone who is not a customer, huge and garbage numbers, no reason: at the field, nothing moves
    r = ops.post("/admin/loyalty/points", {"customer_id": "999999999", "points": "10", "note": "x"})
    assert r.status_code == 404 and 'id="e-adj-customer_id"' in r.text
    r = ops.post("/admin/loyalty/points", {"customer_id": "9" * 40, "points": "9" * 40, "note": ""})
    assert r.status_code == 422
    for field in ("customer_id", "points", "note"):
        assert f'id="e-adj-{field}"' in r.text, field
    r = ops.post("/admin/loyalty/points", {"customer_id": str(c), "points": "0x10", "note": "x" * 201})
    assert r.status_code == 422 and 'id="e-adj-points"' in r.text and 'id="e-adj-note"' in r.text
    assert loyalty.balance_of(container.db, c) == 300


def test_analysts_and_clerks_cannot_add_rewards_or_adjust_points(staff, container):
    c = member(container, 1)
    for role in ("analyst", "clerk"):
        who = staff(role, store_id=None) if role == "analyst" else staff(role, store_id=_store(container))
        r = who.post("/admin/loyalty/points", {"customer_id": str(c), "points": "100", "note": "x"})
        assert r.status_code in (303, 403), (role, r.status_code)
        r = who.post("/admin/loyalty/rewards", {"kind": "goods", "name_zh": "a", "name_en": "a", "points_cost": "1",
                                                "stock": "1"})
        assert r.status_code in (303, 403)
    assert loyalty.balance_of(container.db, c) == 0
    assert loyalty.rewards(container.db, active_only=False) == []


def test_superscript_and_other_non_ascii_digits_are_bad_numbers_not_crashes(staff, container):
    """str.isdigit() takes "²" and int() refuses it: the rules form, the points form and the page's
    ?adjusted= answered 500. Now the field is marked (or the notice left out), nothing changes."""
    c = member(container, 1)
    ops = staff("operator")
    form = _form(ops.get("/admin/loyalty").text)
    r = ops.post("/admin/loyalty", {**form, "expiry_days": "\u00b2", "action": "save"})
    assert r.status_code == 422 and 'id="expiry_days"' in r.text
    r = ops.post("/admin/loyalty/points", {"customer_id": "\u00b2", "points": "\u00b9\u00b2", "note": "x"})
    assert r.status_code == 422 and 'id="e-adj-customer_id"' in r.text and 'id="e-adj-points"' in r.text
    assert ops.get("/admin/loyalty", params={"adjusted": "\u00b2", "points": "1"}).status_code == 200
    assert ops.get("/admin/loyalty", params={"adjusted": str(c), "points": "\u00b2"}).status_code == 200
    assert loyalty.balance_of(container.db, c) == 0
