"""Cart statements. Never commits.

Every change to a cart first touches its row (`touch`): writers of one cart queue there, so lines are
always changed in the same order (cart row, then lines) and nothing deadlocks. Quantities change in one
upsert (`INSERT ... ON CONFLICT DO UPDATE`), never read-then-write, so concurrent adds lose nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from o2o.cart.models import MAX_QUANTITY, Cart, CartLine


def _insert(session: Session, model: type) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def cart_id(session: Session, *, token_hash: str | None = None, customer_id: int | None = None,
            lock: bool = False) -> int | None:
    stmt = select(Cart.id).where(Cart.token_hash == token_hash if token_hash is not None
                                 else Cart.customer_id == customer_id)
    if lock:
        stmt = stmt.with_for_update()
    return session.scalar(stmt)


def ensure_cart(session: Session, now: datetime, *, token_hash: str | None = None,
                customer_id: int | None = None) -> int:
    """The owner's cart id; created when absent (a concurrent creation of the same cart is harmless)."""
    column = "token_hash" if token_hash is not None else "customer_id"
    stmt = _insert(session, Cart).values(token_hash=token_hash, customer_id=customer_id, created_at=now,
                                         updated_at=now).on_conflict_do_nothing(index_elements=[column])
    session.execute(stmt)
    found = cart_id(session, token_hash=token_hash, customer_id=customer_id)
    assert found is not None
    return found


def touch(session: Session, cart_id: int, now: datetime) -> bool:
    """Take the cart's row lock (writers of one cart queue here); False if the cart is gone."""
    return session.execute(update(Cart).where(Cart.id == cart_id).values(updated_at=now)).rowcount == 1


def add_quantity(session: Session, cart_id: int, sku_id: int, quantity: int, now: datetime) -> None:
    """Add to a line (created when absent), capped at MAX_QUANTITY, in one statement."""
    ins = _insert(session, CartLine).values(cart_id=cart_id, sku_id=sku_id, quantity=min(quantity, MAX_QUANTITY),
                                            added_at=now)
    total = CartLine.quantity + ins.excluded.quantity
    session.execute(ins.on_conflict_do_update(
        index_elements=["cart_id", "sku_id"],
        set_={"quantity": case((total > MAX_QUANTITY, MAX_QUANTITY), else_=total)}))


def set_quantity(session: Session, cart_id: int, sku_id: int, quantity: int, now: datetime) -> None:
    ins = _insert(session, CartLine).values(cart_id=cart_id, sku_id=sku_id, quantity=quantity, added_at=now)
    session.execute(ins.on_conflict_do_update(index_elements=["cart_id", "sku_id"],
                                              set_={"quantity": ins.excluded.quantity}))


def delete_lines(session: Session, cart_id: int, sku_ids: Iterable[int] | None = None) -> int:
    stmt = delete(CartLine).where(CartLine.cart_id == cart_id)
    if sku_ids is not None:
        stmt = stmt.where(CartLine.sku_id.in_(list(sku_ids)))
    return session.execute(stmt).rowcount


def delete_cart(session: Session, cart_id: int) -> None:
    delete_lines(session, cart_id)
    session.execute(delete(Cart).where(Cart.id == cart_id))


def lines(session: Session, cart_id: int) -> list[tuple[int, int]]:
    """(sku_id, quantity), in the order they were first added."""
    stmt = (select(CartLine.sku_id, CartLine.quantity).where(CartLine.cart_id == cart_id)
            .order_by(CartLine.added_at, CartLine.sku_id))
    return [(int(s), int(q)) for s, q in session.execute(stmt)]


def stale_anonymous(session: Session, before: datetime, limit: int) -> list[int]:
    stmt = (select(Cart.id).where(Cart.token_hash.is_not(None), Cart.updated_at < before)
            .order_by(Cart.id).limit(limit))
    return list(session.scalars(stmt))


def give_cart(session: Session, cart_id: int, customer_id: int, now: datetime) -> None:
    session.execute(update(Cart).where(Cart.id == cart_id).values(customer_id=customer_id, updated_at=now))
