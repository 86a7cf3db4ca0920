"""Accessibility in Chromium at phone and desktop sizes: axe-core (vendored, tests/browser/vendor/axe-core)
runs on every main page of the storefront, the store console and the back-office, each opened as the person
who uses it, and finds no serious or critical violation. A failure lists every such violation: the page, the
rule, its help and the first few elements.

axe is served to the page from the vendored file at a same-origin URL (a page route; nothing is downloaded
and nothing leaves 127.0.0.1), so the pages keep their strict CSP (`script-src 'self'`) while axe runs:
an inline `add_script_tag(path=...)` would be refused by it."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from o2o.cart import service as cart
from o2o.cart.schemas import Owner
from o2o.customers import service as customers
from o2o.iam import service as iam
from o2o.loyalty import service as loyalty
from o2o.orders import service as orders
from o2o.orders.schemas import LineIn, OrderIn
from o2o.promotions import service as promotions
from tests.browser.conftest import API_TIMEOUT_S, sign_in_staff
from tests.e2e.test_shop_pages import shop_chain
from tests.factories.auth import PASSWORD
from tests.factories.chain import XUJIAHUI_NEAR, receive
from tests.factories.http import order_of, pay, pickup_order
from tests.integration.promotions.flow import template

SIZES = ["phone", "desktop"]
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
AXE_URL = "/__tests__/axe-core/axe.min.js"  # answered by the test's page route, never by the app
BLOCKING = ("serious", "critical")
# Rules that may not pass yet, each with the reason (none today; a new entry needs one).
EXCEPTIONS: dict[str, str] = {}
RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map(n => n.target.join(' ')), summary: v.nodes.length ? v.nodes[0].failureSummary : ''}));
}"""


def with_axe(page):  # type: ignore[no-untyped-def]
    """Serve the vendored axe to this page (a page route wins over the context's off-host guard)."""
    page.route(f"**{AXE_URL}", lambda route: route.fulfill(path=str(AXE), content_type="text/javascript"))
    return page


def audit(page, path: str | None, found: list[str], status: int = 200) -> None:  # type: ignore[no-untyped-def]
    """Open `path` (None: the page as it is now), run axe and add each serious/critical violation to `found`."""
    if path:
        response = page.goto(path)
        assert response is not None and response.status == status, f"{path}: {response and response.status}"
    page.wait_for_load_state("load")
    page.add_script_tag(url=AXE_URL)
    where = path or urlpath(page.url)
    for v in page.evaluate(RUN):
        if v["impact"] in BLOCKING and v["id"] not in EXCEPTIONS:
            targets = ", ".join(v["targets"][:4]) + (f" (+{len(v['targets']) - 4} more)" if len(v["targets"]) > 4
                                                      else "")
            found.append(f"{where} [{page.o2o_size}] {v['id']} ({v['impact']}): {v['help']} — {targets}")


def urlpath(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def verdict(found: list[str]) -> None:
    assert not found, f"{len(found)} serious/critical accessibility violations:\n" + "\n".join(found)


def _paid_pickup(live, auth, chain, quantity: int = 2) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    """The customer's phone, through the JSON API of the running app: a paid pickup at Xujiahui."""
    customer = auth.customer(chain.customer)
    with httpx.Client(base_url=live.base, timeout=API_TIMEOUT_S) as api:
        number = pickup_order(api, chain.stores["xujiahui"], chain.skus["milk"], quantity, customer)
        pay(api, number, customer)
        return number, order_of(api, number, customer)["fulfillment_ids"][0]


@pytest.mark.parametrize("size", SIZES)
def test_storefront_pages_have_no_serious_or_critical_violations(live, open_page, size):
    c = live.container
    chain = shop_chain(c)
    store = chain.stores["xujiahui"]
    receive(c, store, chain.skus["milk"], 20)
    placed = orders.place(c.uow(), OrderIn(customer_id=chain.customer, mode="pickup", location_id=store,
                                           lines=[LineIn(sku_id=chain.skus["milk"], quantity=1)]), orders.OrderPolicy())
    started = orders.start_payment(c.uow(), c.payments, placed.number)
    orders.sandbox_complete(c.uow(), c.payments, started.out_trade_no)
    unpaid = orders.place(c.uow(), OrderIn(customer_id=chain.customer, mode="pickup", location_id=store,
                                           lines=[LineIn(sku_id=chain.skus["milk"], quantity=1)]), orders.OrderPolicy())
    cart.add(c.uow(), Owner(customer_id=chain.customer), chain.skus["milk"], 2)
    cart.add(c.uow(), Owner(customer_id=chain.customer), chain.skus["yogurt"], 1)
    loyalty.adjust(c.uow(), chain.customer, 500, "welcome")
    promotions.claim(c.uow(), chain.customer, template(c))
    template(c, name_zh="满50减5", name_en="5 off 50", min_fen=5_000, off_fen=500)  # one left to claim
    session = iam.sign_in_session(c.uow(), "customer", chain.customer, True, iam.Client("test"), c.settings)
    host = {"domain": "127.0.0.1", "path": "/"}
    chosen = {"name": "o2o_store", "value": f"{store}:{XUJIAHUI_NEAR[0]:.5f}:{XUJIAHUI_NEAR[1]:.5f}", **host}
    found: list[str] = []

    visitor = with_axe(open_page(size))
    visitor.context.add_cookies([chosen])
    audit(visitor, "/shop/signin", found)
    visitor.get_by_label("手机号").fill("13900139000")
    visitor.get_by_role("button", name="获取验证码").click()
    visitor.wait_for_url("**/shop/signin/code?*")
    audit(visitor, None, found)  # the code step

    page = with_axe(open_page(size))
    page.context.add_cookies([chosen, {"name": "o2o_session", "value": session.access_token, **host}])
    audit(page, "/shop", found)
    audit(page, "/shop/stores?q=徐汇", found)
    audit(page, "/shop/products", found)
    category = re.search(r"category=(\d+)", page.content())
    audit(page, f"/shop/products?category={category.group(1)}" if category else "/shop/products?category=1", found)
    audit(page, "/shop/products?q=milk", found)
    product = re.search(r"/shop/products/(\d+)", page.content()).group(1)
    audit(page, f"/shop/products/{product}", found)
    audit(page, "/shop/cart", found)
    audit(page, "/shop/checkout", found)
    audit(page, "/shop/orders", found)
    audit(page, f"/shop/orders/{placed.number}", found)
    audit(page, f"/shop/orders/{unpaid.number}/pay", found)
    audit(page, f"/shop/orders/{placed.number}/cancel", found)
    audit(page, "/shop/member", found)
    audit(page, "/shop/coupons", found)
    audit(page, "/shop/coupons/mine", found)
    audit(page, f"/shop/coupons/mine/{promotions.wallet(c.db, chain.customer, c.clock.now()).usable[0].id}", found)
    audit(page, "/shop/member/code", found)
    audit(page, "/shop/addresses", found)
    audit(page, "/shop/addresses/new", found)
    audit(page, "/shop/favorites", found)
    audit(page, "/shop/groupbuy", found)
    audit(page, "/shop/nowhere", found, status=404)  # the error page
    verdict(found)


@pytest.mark.parametrize("size", SIZES)
def test_store_console_pages_have_no_serious_or_critical_violations(live, open_page, auth, size):
    c = live.container
    chain = shop_chain(c)
    store = chain.stores["xujiahui"]
    number, fid = _paid_pickup(live, auth, chain)
    promotions.claim(c.uow(), chain.customer, template(c))
    auth.staff_user("clerk", store_id=store, login=f"clerk-a11y-{size}")
    found: list[str] = []

    page = with_axe(open_page(size))
    audit(page, "/login", found)
    sign_in_staff(page, f"clerk-a11y-{size}", PASSWORD)
    audit(page, f"/console/{store}", found)  # the queue, with the paid order on it
    audit(page, f"/console/{store}/fulfillments/{fid}", found)
    audit(page, f"/console/{store}/handover", found)
    audit(page, f"/console/{store}/stock", found)
    audit(page, f"/console/{store}/members", found)
    page.locator("#f-q").fill("13800138000")  # a look-up: the member's (masked) profile
    page.locator("#f-q").press("Enter")
    page.wait_for_load_state("load")
    audit(page, None, found)
    audit(page, f"/console/{store}/coupons", found)
    audit(page, f"/console/{store}/transfers", found)
    audit(page, f"/console/{store}/nowhere", found, status=404)
    assert number
    verdict(found)


@pytest.mark.parametrize("size", SIZES)
def test_back_office_pages_have_no_serious_or_critical_violations(live, open_page, auth, size):
    c = live.container
    chain = shop_chain(c)
    number, _ = _paid_pickup(live, auth, chain)
    coupon = template(c)
    auth.staff_user("platform_admin", login=f"root-a11y-{size}")
    found: list[str] = []

    page = with_axe(open_page(size))
    sign_in_staff(page, f"root-a11y-{size}", PASSWORD)
    page.goto("/admin/products")
    product = re.search(r'href="/admin/products/(\d+)"', page.content()).group(1)
    for path in ("/admin", "/admin/orders", f"/admin/orders/{number}", "/admin/products", "/admin/stores",
                 "/admin/members", f"/admin/members/{chain.customer}", "/admin/loyalty", "/admin/campaigns",
                 "/admin/audit", "/admin/users", f"/admin/products/{product}", "/admin/products/new",
                 f"/admin/stores/{chain.stores['xujiahui']}", "/admin/stock", "/admin/campaigns/new",
                 f"/admin/campaigns/coupon/{coupon}", f"/admin/campaigns/coupon/{coupon}/results",
                 "/admin/payments/reconcile", "/admin/nowhere", "/console"):
        audit(page, path, found, status=404 if path.endswith("nowhere") else 200)
    verdict(found)


@pytest.mark.parametrize("size", ["phone"])
def test_the_member_code_is_renewed_in_place_without_a_timed_reload(live, open_page, size):
    """axe's meta-refresh: the page reloaded itself every minute; now its script swaps the QR and the code."""
    c = live.container
    chain = shop_chain(c)
    session = iam.sign_in_session(c.uow(), "customer", chain.customer, True, iam.Client("test"), c.settings)
    page = open_page(size)
    page.context.add_cookies([{"name": "o2o_session", "value": session.access_token, "domain": "127.0.0.1",
                               "path": "/"}])
    page.clock.install()
    page.goto("/shop/member/code")
    assert page.locator('meta[http-equiv="refresh"]').count() == 0
    first = page.locator("[data-member-code]").inner_text()
    page.evaluate("window.__samePage = true")
    c.clock.advance(minutes=1)  # the server's minute turns
    page.clock.run_for(61_000)
    expect(page.locator("[data-member-code]")).not_to_have_text(first)
    assert page.evaluate("window.__samePage") is True  # swapped in place, not reloaded
    assert customers.resolve_member_code(page.locator("[data-member-code]").inner_text(), c.clock.now()) == \
        chain.customer
    expect(page.locator("[data-member-qr] svg")).to_have_count(1)
