"""Transfer receipts in Chromium, on a phone and on a desktop: a clerk counts a transfer that arrived one short
(the difference shows as they type), and head office finds the discrepancy in its queue, investigates it
and resolves it (the unit was found: it goes into the store's stock); then head office plans one SKU for
every store, previews it, creates it and sees its progress per store."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from o2o.inventory import service as inventory
from o2o.inventory import transfers
from o2o.inventory.schemas import TransferRequestIn
from o2o.kernel.pagination import PageParams
from tests.browser.conftest import sign_in_staff
from tests.factories.auth import PASSWORD
from tests.factories.chain import build_chain, receive

SIZES = ["phone", "desktop"]
FITS = "(sel) => { const r = document.querySelector(sel).getBoundingClientRect(); return r.left >= 0 && r.right <= " \
       "window.innerWidth + 1; }"


def _on_hand(live, location_id: int, sku_id: int) -> int:  # type: ignore[no-untyped-def]
    return inventory.stock(live.container.db, location_id, sku_id, PageParams()).items[0].on_hand


@pytest.mark.parametrize("size", SIZES)
def test_a_clerk_receives_a_transfer_short_by_one_and_head_office_sees_and_resolves_it(live, open_page, shot, auth,
                                                                                      size):
    chain = build_chain(live.container)
    a, b, milk = chain.stores["xujiahui"], chain.stores["jingan"], chain.skus["milk"]
    receive(live.container, a, milk, 10)
    receive(live.container, b, milk, 10)
    rid = inventory.request_transfer(live.container.uow(), TransferRequestIn(
        from_location_id=b, to_location_id=a, sku_id=milk, quantity=4, note="周末促销"), "staff:clerk").id
    inventory.send_transfer(live.container.uow(), rid, "staff:manager-b")
    auth.staff_user("clerk", store_id=a, login="clerk-rc")
    auth.staff_user("operator", login="ops-rc")

    page = open_page(size)
    sign_in_staff(page, "clerk-rc", PASSWORD)
    page.goto(f"/console/{a}/transfers")
    expect(page.locator("#in-transit")).to_contain_text("4 件")
    form = page.locator(f"form[action='/console/{a}/transfers/{rid}/receive']")
    assert page.evaluate(FITS, f"form[action='/console/{a}/transfers/{rid}/receive']")
    expect(form.locator("input[name=received]")).to_have_value("4")
    form.locator("input[name=received]").fill("3")
    expect(form.locator("output")).to_contain_text("短少 1")  # shown as the clerk types
    form.locator("input[name=note]").fill("少一箱")
    shot(page, "console-transfer-count")
    page.once("dialog", lambda dialog: dialog.accept())  # "take these units into stock?"
    form.get_by_role("button", name="确认收货").click()
    expect(page.locator(".notice.success")).to_contain_text("已收货")
    row = page.locator("tr", has=page.locator("td", has_text=f"#{rid}"))
    expect(row).to_contain_text("收货有差异")
    expect(row).to_contain_text("实收 3 / 发出 4")
    expect(row.locator(".badge.diff-short")).to_have_text("短少 1")
    expect(page.locator("#in-transit")).to_have_count(0)
    assert _on_hand(live, a, milk) == 13

    office = open_page(size)
    sign_in_staff(office, "ops-rc", PASSWORD)
    office.goto("/admin/transfers")
    expect(office.locator("#queue-link")).to_contain_text("待处理 1")
    office.locator("#queue-link").click()
    d = transfers.discrepancy_of(live.container.db, [rid])[rid]
    card = office.locator(f"[data-discrepancy='{d.id}']")
    expect(card).to_contain_text("短少 1")
    expect(card).to_contain_text("少一箱")
    assert office.evaluate(FITS, f"[data-discrepancy='{d.id}']")
    shot(office, "backoffice-transfer-discrepancies")
    card.locator("input[name=note]").first.fill("司机说货在车上")
    card.get_by_role("button", name="标记为已调查").click()
    expect(office.locator(".notice.ok")).to_contain_text(f"差异 #{d.id} 已标记为已调查")
    card = office.locator(f"[data-discrepancy='{d.id}']")
    card.locator("select[name=resolution]").select_option("found")
    card.get_by_role("button", name="处理").click()
    expect(office.locator(".notice.ok")).to_contain_text(f"差异 #{d.id} 已处理")
    expect(office.locator(f"[data-discrepancy='{d.id}']")).to_have_count(0)  # gone from the to-do list
    assert _on_hand(live, a, milk) == 14

    office.goto("/admin/transfers/plan")
    office.locator("#f-sku").fill("T-milk")
    office.locator("#f-from").select_option(str(b))
    office.locator("#f-each").fill("2")
    office.locator("input[data-check-all]").check()  # every store (the source is left out)
    expect(office.locator("input[name=to]:checked")).to_have_count(3)
    office.get_by_role("button", name="预览").click()
    expect(office.locator("#preview-h")).to_contain_text("2 笔调拨，共 4 件")
    assert office.evaluate(FITS, "form.create-batch")
    shot(office, "backoffice-transfer-plan")
    office.get_by_role("button", name="创建 2 笔调拨").click()
    expect(office.locator(".notice.ok")).to_contain_text("批次已创建")
    expect(office.locator("tfoot")).to_contain_text("0 / 4")
    batch = transfers.batches(live.container.db, PageParams()).items[0]
    assert (batch.lines, batch.units, batch.origin) == (2, 4, "manual") and batch.created_by.endswith("ops-rc")
    assert inventory.check(live.container.db).ok
