"""One language per page (issue 12 point 15) in Chromium, on a phone and a desktop: the shopper's order page,
a store console card, the back-office order detail and the audit page show routing reasons, actors
("h5", "router", "payment:sandbox", "staff:..."), statuses, history notes and audit actions in the page's
language only: in English no Chinese word of those vocabularies, in Chinese none of the English ones nor
the raw words the services write. An order line keeps its product's name in both languages."""

from __future__ import annotations

import re

import pytest

from o2o.iam import service as iam
from o2o.kernel.catalogs import catalog_texts
from o2o.orders import service as orders
from o2o.orders.schemas import LineIn, OrderIn
from tests.browser.conftest import sign_in_staff
from tests.factories.auth import PASSWORD
from tests.factories.chain import build_chain, receive
from tests.integration.audit.conftest import entry, record

SIZES = ["phone", "desktop"]
# what the services write into rows, never to be shown as is
RAW = ["chosen store has every line", "moved from location", "by head office", "payment:sandbox", "staff:ops",
       "router", "pending_payment", "hold released", "pii.read", "customers.merge"]
CJK = re.compile(r"[\u3400-\u9fff]{2,}")


def _vocabulary(locale: str) -> set[str]:
    """The words of the vocabularies (reasons, actors, notes, audit actions, roles, statuses, actor kinds)
    in one language: Chinese runs of two or more characters, or English texts of two or more words."""
    texts = [*catalog_texts("web.vocabulary_texts")[locale].values()]
    for domain, prefixes in (("shop.texts", ("status.", "fo.")), ("backoffice.common", ("status.", "channel.")),
                             ("console.texts", ("status.",)), ("audit.pages", ("audit.kind.",))):
        texts += [v for k, v in catalog_texts(domain)[locale].items() if k.startswith(prefixes)]
    words: set[str] = set()
    for text in texts:
        for part in re.split(r"\{[^}]*\}|[（）()：:，,；;·#]", text):
            part = part.strip()
            if locale == "zh-CN":
                words.update(CJK.findall(part))
            elif len(part.split()) >= 2:
                words.add(part)
    return words


ZH_WORDS, EN_WORDS = _vocabulary("zh-CN"), _vocabulary("en")


def _check(text: str, locale: str, where: str) -> None:
    if locale == "en":
        found = sorted(w for w in ZH_WORDS if w in text)
    else:
        found = sorted(w for w in EN_WORDS | set(RAW) if re.search(rf"(?<![\w:-]){re.escape(w)}(?![\w:-])", text))
    assert not found, f"{where} [{locale}] shows {found}"


def _order(c):  # type: ignore[no-untyped-def]
    """A paid pickup order at Xujiahui, moved by head office to Jing'an: every kind of row the pages show."""
    chain = build_chain(c)
    xjh, ja, milk = chain.stores["xujiahui"], chain.stores["jingan"], chain.skus["milk"]
    receive(c, xjh, milk, 5)
    receive(c, ja, milk, 5)
    placed = orders.place(c.uow(), OrderIn(customer_id=chain.customer, mode="pickup", location_id=xjh,
                                           lines=[LineIn(sku_id=milk, quantity=2)]), orders.OrderPolicy())
    started = orders.start_payment(c.uow(), c.payments, placed.number)
    orders.sandbox_complete(c.uow(), c.payments, started.out_trade_no)
    orders.reassign(c.uow(), placed.number, ja, "staff:ops", "fridge broken")
    record(c.db, entry(1, action="pii.read", actor_name="ops", role="operator", store_id=None),
           entry(2, action="PATCH /api/v1/locations/{location_id}", role="store_manager"),
           entry(3, action="customers.merge", actor_kind="system", actor_id=None, actor_name="sign-in", role=None))
    return chain, placed.number, ja


@pytest.mark.parametrize("size", SIZES)
def test_every_page_speaks_one_language(live, open_page, shot, auth, size):
    c = live.container
    chain, number, ja = _order(c)
    line = orders.get(c.db, number).lines[0]
    assert line.name_zh.startswith("测试milk") and line.name_en.startswith("milk")  # both kept at order time

    session = iam.sign_in_session(c.uow(), "customer", chain.customer, True, iam.Client("test"), c.settings)
    shopper = open_page(size)
    shopper.context.add_cookies([{"name": "o2o_session", "value": session.access_token, "domain": "127.0.0.1",
                                  "path": "/"}])
    auth.staff_user("platform_admin", login="root-1l")
    staff = open_page(size, locale="en")
    sign_in_staff(staff, "root-1l", PASSWORD)
    errors: list[str] = []
    for page in (shopper, staff):
        page.on("pageerror", lambda e: errors.append(str(e)))

    for locale, lang in (("en", "en"), ("zh-CN", "zh")):
        shopper.goto(f"/shop/orders/{number}?lang={lang}")
        text = shopper.locator("main").inner_text()
        _check(text, locale, "shop order")
        assert (line.name_en if locale == "en" else line.name_zh) in text
        shot(shopper, f"one-language-shop-order-{lang}")

        staff.goto(f"/admin/orders/{number}?lang={lang}")
        text = staff.locator("main").inner_text()
        _check(text, locale, "back-office order")
        assert (line.name_en if locale == "en" else line.name_zh) in text, (line, text)
        assert ("by staff ops" if locale == "en" else "员工 ops") in text
        assert ("by head office: fridge broken" if locale == "en" else "总部将订单从门店") in text
        assert ("web shop" if locale == "en" else "支付（沙箱）") in text
        shot(staff, f"one-language-admin-order-{lang}")

        staff.goto(f"/console/{ja}?lang={lang}")
        card = staff.locator("article.order-card").first
        card.wait_for()
        _check(staff.locator("main").inner_text(), locale, "console")
        assert (line.name_en if locale == "en" else line.name_zh) in card.inner_text()
        shot(staff, f"one-language-console-{lang}")

        staff.goto(f"/admin/audit?lang={lang}")
        text = staff.locator("main table").inner_text()  # (the filter's hint names pii.read as an example)
        _check(text, locale, "audit")
        assert ("viewed personal data" if locale == "en" else "查看个人信息") in text
        assert ("changed" if locale == "en" else "修改") in text
        shot(staff, f"one-language-audit-{lang}")
    assert errors == []
