"""A store with a registered till (open: a till session with no float, as online sales need), a clerk signed
in at it, stock, a member and a coupon of theirs: what the POS tests ring up against (built through the
services)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from o2o.kernel.auth import Principal
from o2o.pos import service as pos
from o2o.promotions import service as promotions
from o2o.promotions.models import Coupon
from o2o.promotions.schemas import IssueIn
from tests.factories import tills
from tests.factories.chain import Chain, build_chain, receive
from tests.integration.promotions import flow

ADMIN = Principal("staff", 0, "test-admin", role="platform_admin")


@dataclass
class Till:
    chain: Chain
    store: int
    terminal_id: int
    key: str
    headers: dict[str, str]  # the terminal's key and the clerk's token
    coupon_code: str  # a 满20减3 coupon of the chain's customer, usable at the store
    session_id: int | None  # the till session open on it (None: set up closed)


def add_till(container: Any, store: int, code: str, *, open_till: bool = False) -> tuple[int, str]:
    """A registered till and its key; `open_till`: with a till session open on it (to sell online)."""
    new = pos.add_terminal(container.uow(), ADMIN, store, code)
    assert new.key is not None
    if open_till:
        tills.open_session(container, new.terminal.id)
    return new.terminal.id, new.key


def coupon_of(container: Any, customer_id: int, min_fen: int = 2_000, off_fen: int = 300) -> str:
    t = flow.template(container, min_fen=min_fen, off_fen=off_fen, name_zh="满20减3", name_en="3 off 20")
    promotions.issue(container.uow(), t, IssueIn(customer_ids=[customer_id]))
    with container.db.read() as s:
        return str(s.scalar(select(Coupon.code).where(Coupon.template_id == t, Coupon.customer_id == customer_id)))


def set_up(container: Any, auth: Any, stock: int = 10, *, open_till: bool = True) -> Till:
    chain = build_chain(container)
    store = chain.stores["xujiahui"]
    for sku in chain.skus.values():
        receive(container, store, sku, stock)
    terminal_id, key = add_till(container, store, "T01")
    session_id = tills.open_session(container, terminal_id) if open_till else None
    headers = {**auth.staff("clerk", store_id=store), "X-Api-Key": key}
    return Till(chain, store, terminal_id, key, headers, coupon_of(container, chain.customer), session_id)
