"""Steps the store console tests share (no tests here): a stocked chain with a paid pickup order, form posts
with the CSRF token, and the customer's own view of their pickup code."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from o2o import bootstrap
from tests.factories.chain import Chain, build_chain, receive
from tests.factories.http import order_of, pay, pickup_order

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}


@dataclass
class Shop:
    chain: Chain
    store: int  # Xujiahui: where the order is picked up
    other: int  # Jing'an: another store
    milk: int
    customer: dict[str, str]
    clerk: dict[str, str]
    manager: dict[str, str]


def shop(container: Any, auth: Any, stock: int = 10) -> Shop:
    chain = build_chain(container)
    store, other = chain.stores["xujiahui"], chain.stores["jingan"]
    for sku in chain.skus.values():
        receive(container, store, sku, stock)
        receive(container, other, sku, stock)
    return Shop(chain, store, other, chain.skus["milk"], auth.customer(chain.customer),
                auth.staff("clerk", store_id=store), auth.staff("store_manager", store_id=store))


def paid_pickup(client: Any, s: Shop, quantity: int = 2, sku: int | None = None) -> tuple[str, int]:
    """(order number, fulfilment id) of a paid pickup order at the shop's store, placed by the customer."""
    number = pickup_order(client, s.store, sku or s.milk, quantity, s.customer)
    pay(client, number, s.customer)
    return number, order_of(client, number, s.customer)["fulfillment_ids"][0]


def customer_code(client: Any, s: Shop, number: str) -> str:
    """The pickup code as only the customer sees it (never from a staff page)."""
    code = order_of(client, number, s.customer)["pickup_code"]
    assert code and re.fullmatch(r"[0-9]{6}", code)
    return code


def csrf(client: Any) -> str:
    token = client.cookies.get("o2o_csrf") or client.get("/login").cookies.get("o2o_csrf")
    assert token
    return token


def post_form(client: Any, path: str, headers: dict[str, str], **fields: Any) -> Any:
    """A console form as the browser sends it: urlencoded, with the CSRF token field; not followed."""
    data = {"csrf_token": csrf(client), **{k: str(v) for k, v in fields.items()}}
    return client.post(path, data=data, headers=headers, follow_redirects=False)


def relay(container: Any) -> None:
    """Deliver what the outbox holds (SMS, the order following its fulfilment)."""
    bootstrap.relay(container).run_once()
