"""Cart use cases: add, change and remove lines; merge an anonymous cart into the customer's on sign-in.

Functions taking a `UnitOfWork` or `Database` are this area's own use cases; `clear_in` joins the
caller's transaction (an order placed from the cart empties it in the same commit).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from o2o.cart import repository as repo
from o2o.cart.models import MAX_QUANTITY
from o2o.cart.schemas import CartLineOut, Owner
from o2o.catalog import service as catalog
from o2o.kernel.db import Database
from o2o.kernel.errors import InvalidInput
from o2o.kernel.uow import UnitOfWork

TOKEN_BYTES = 24


def new_token() -> str:
    """A fresh anonymous cart token for the browser's cookie (only its hash is stored)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _find(session: Session, owner: Owner, lock: bool = False) -> int | None:
    if owner.customer_id is not None:
        return repo.cart_id(session, customer_id=owner.customer_id, lock=lock)
    return repo.cart_id(session, token_hash=_token_hash(owner.token or ""), lock=lock)


def _ensure(session: Session, owner: Owner, now: datetime) -> int:
    if owner.customer_id is not None:
        return repo.ensure_cart(session, now, customer_id=owner.customer_id)
    return repo.ensure_cart(session, now, token_hash=_token_hash(owner.token or ""))


def _check_quantity(quantity: int, low: int) -> None:
    if not low <= quantity <= MAX_QUANTITY:
        raise InvalidInput("quantity", f"must be between {low} and {MAX_QUANTITY}")


def _check_sku(session: Session, sku_id: int) -> None:
    priced = catalog.PriceStrategy(session, None).price([sku_id]).get(sku_id)
    if priced is None:
        raise InvalidInput("sku_id", f"unknown SKU {sku_id}")
    if not priced.active:
        raise InvalidInput("sku_id", f"SKU {sku_id} is not for sale")


def add(uow: UnitOfWork, owner: Owner, sku_id: int, quantity: int) -> None:
    """Add `quantity` of a SKU (a line past MAX_QUANTITY stays at MAX_QUANTITY)."""
    _check_quantity(quantity, 1)
    with uow:
        s, now = uow.session, uow.clock.now()
        _check_sku(s, sku_id)
        cart_id = _ensure(s, owner, now)
        repo.touch(s, cart_id, now)
        repo.add_quantity(s, cart_id, sku_id, quantity, now)
        uow.commit()


def update(uow: UnitOfWork, owner: Owner, sku_id: int, quantity: int) -> None:
    """Set a line's quantity; 0 removes the line."""
    _check_quantity(quantity, 0)
    with uow:
        s, now = uow.session, uow.clock.now()
        cart_id = _find(s, owner)
        if cart_id is None or not repo.touch(s, cart_id, now):
            return
        if quantity == 0:
            repo.delete_lines(s, cart_id, [sku_id])
        else:
            _check_sku(s, sku_id)
            repo.set_quantity(s, cart_id, sku_id, quantity, now)
        uow.commit()


def remove(uow: UnitOfWork, owner: Owner, sku_id: int) -> None:
    update(uow, owner, sku_id, 0)


def replace(uow: UnitOfWork, owner: Owner, sku_id: int, with_sku_id: int) -> bool:
    """Swap a line for another SKU with the same quantity (added to that SKU's line if there is one), in one
    transaction; False when the cart has no such line."""
    with uow:
        s, now = uow.session, uow.clock.now()
        cart_id = _find(s, owner)
        have = dict(repo.lines(s, cart_id)) if cart_id is not None else {}
        if sku_id not in have or sku_id == with_sku_id:
            return False
        _check_sku(s, with_sku_id)
        repo.touch(s, cart_id, now)  # type: ignore[arg-type]
        repo.delete_lines(s, cart_id, [sku_id])  # type: ignore[arg-type]
        repo.add_quantity(s, cart_id, with_sku_id, have[sku_id], now)  # type: ignore[arg-type]
        uow.commit()
        return True


def lines(db: Database, owner: Owner) -> list[CartLineOut]:
    with db.read() as s:
        cart_id = _find(s, owner)
        return [] if cart_id is None else [CartLineOut(sku_id=k, quantity=q) for k, q in repo.lines(s, cart_id)]


def merge(uow: UnitOfWork, token: str, customer_id: int) -> int:
    """On sign-in: the anonymous cart's lines join the customer's cart (quantities summed, each capped
    at MAX_QUANTITY) and the anonymous cart is gone. Returns the number of lines merged; a second call
    with the same token merges nothing."""
    with uow:
        s, now = uow.session, uow.clock.now()
        anon = _find(s, Owner(token=token), lock=True)
        if anon is None or not repo.touch(s, anon, now):
            return 0
        found = repo.lines(s, anon)
        if found:
            mine = repo.ensure_cart(s, now, customer_id=customer_id)
            repo.touch(s, mine, now)
            for sku_id, quantity in found:
                repo.add_quantity(s, mine, sku_id, quantity, now)
        repo.delete_cart(s, anon)
        uow.commit()
        return len(found)


def clear_in(session: Session, owner: Owner, sku_ids: Iterable[int] | None = None) -> int:
    """Joins the caller's transaction: remove these SKUs' lines (all lines when None)."""
    cart_id = _find(session, owner)
    if cart_id is None:
        return 0
    return repo.delete_lines(session, cart_id, sku_ids)


def purge_anonymous(uow: UnitOfWork, before: datetime, limit: int = 1000) -> int:
    """Delete anonymous carts untouched since `before` (a periodic job may call this)."""
    with uow:
        ids = repo.stale_anonymous(uow.session, before, limit)
        for cart_id in ids:
            repo.delete_cart(uow.session, cart_id)
        uow.commit()
        return len(ids)


def merge_customers(session: Session, from_id: int, into_id: int, now: datetime) -> int:
    """A customer merge step (joins the merge's transaction): the merged-away customer's cart joins the
    survivor's (quantities summed, each capped at MAX_QUANTITY), or becomes the survivor's when it has
    none. Returns the number of lines moved."""
    theirs = repo.cart_id(session, customer_id=from_id, lock=True)
    if theirs is None:
        return 0
    found = repo.lines(session, theirs)
    if repo.cart_id(session, customer_id=into_id, lock=True) is None:
        repo.give_cart(session, theirs, into_id, now)
        return len(found)
    mine = repo.ensure_cart(session, now, customer_id=into_id)
    repo.touch(session, mine, now)
    for sku_id, quantity in found:
        repo.add_quantity(session, mine, sku_id, quantity, now)
    repo.delete_cart(session, theirs)
    return len(found)
