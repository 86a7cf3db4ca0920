# ruff: noqa: F811 (the shared fixtures are imported from test_backoffice_access)
"""/admin/loyalty: tier rules and points rates edited with a preview of their effect on last month's
members, saved with an audit record; only loyalty:manage holders reach it."""

from __future__ import annotations

import re

from o2o.kernel.uow import JoinedUnitOfWork
from o2o.loyalty import service as loyalty
from o2o.orders.schemas import OrderFacts
from tests.e2e.test_backoffice_access import EN, ZH, app, inline_free, staff  # noqa: F401 (fixtures)
from tests.integration.loyalty.flow import member


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
