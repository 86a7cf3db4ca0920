"""A customer's own data: lookup by phone, sign-up, export, and erasure that keeps orders and ledgers."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from o2o.cli import app
from o2o.config import get_settings
from o2o.customers import service as customers
from o2o.customers.models import Address, Customer
from o2o.customers.schemas import AddressIn, CustomerIn
from o2o.demo.generator import DemoSize, generate
from o2o.inventory import service as inventory
from o2o.inventory.models import StockMovement
from o2o.kernel import pii
from o2o.kernel.clock import FixedClock
from o2o.kernel.db import Database
from o2o.kernel.errors import Conflict, NotFound
from o2o.kernel.outbox import OutboxEvent
from o2o.kernel.uow import UnitOfWork
from o2o.orders import service as orders
from o2o.orders.models import Order, OrderHistory, OrderLine, Payment

SIZE = DemoSize(stores=4, warehouses=1, skus=40, customers=60, days=14)
ANCHOR = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def _events(db: Database, topic: str) -> list[dict]:
    with db.read() as s:
        return [e.payload for e in s.scalars(select(OutboxEvent).where(OutboxEvent.topic == topic))]


def test_duplicate_phone_or_email_is_a_conflict_when_registering(db: Database, clock: FixedClock) -> None:
    first = customers.create(UnitOfWork(db, clock), CustomerIn(name="王芳", phone="13800138001",
                                                               email="wang.fang@example.com"))
    assert (first.phone, first.email) == ("13800138001", "wang.fang@example.com")
    with pytest.raises(Conflict, match="phone already registered") as err:
        customers.create(UnitOfWork(db, clock), CustomerIn(name="王芳", phone="13800138001"))
    assert err.value.status == 409 and err.value.extra["field"] == "phone"
    with pytest.raises(Conflict, match="email already registered") as err:
        customers.create(UnitOfWork(db, clock), CustomerIn(name="王芳", phone="13800138002",
                                                           email="Wang.Fang@EXAMPLE.com"))
    assert err.value.extra["field"] == "email"


def test_find_by_phone_uses_the_lookup_hash_whatever_the_formatting(db: Database, clock: FixedClock) -> None:
    cid = customers.create(UnitOfWork(db, clock), CustomerIn(name="李强", phone="13900139000")).id
    with db.read() as s:
        assert customers.find_by_phone(s, "+86 139-0013-9000") == cid
        assert customers.find_by_phone(s, "13900139001") is None
        assert customers.find_by_phone(s, "") is None
        raw = s.execute(select(Customer.__table__.c.phone_hash)).scalars().all()
    assert all(len(h) == 64 for h in raw)


def test_sign_up_creates_once_and_publishes_nothing(db: Database, clock: FixedClock) -> None:
    with UnitOfWork(db, clock) as uow:
        before = uow.session.scalar(select(func.count()).select_from(OutboxEvent))
        new = customers.sign_up(uow.session, "13700137000", "新用户", clock.now())
        again = customers.sign_up(uow.session, "137 0013 7000", "别的名字", clock.now())
        assert new == again
        assert customers.find_by_phone(uow.session, "13700137000") == new
        assert uow.session.scalar(select(func.count()).select_from(OutboxEvent)) == before
        uow.commit()
    assert customers.get(db, new).name == "新用户"


def test_export_holds_the_customers_own_data_in_plaintext(db: Database, clock: FixedClock) -> None:
    cid = customers.create(UnitOfWork(db, clock), CustomerIn(name="赵敏", phone="13600136000",
                                                             email="zhao.min@example.com")).id
    for label, line in (("家", "静安区南京西路 1 号 101 室"), ("公司", "浦东新区世纪大道 100 号 A 座 2001 室")):
        customers.add_address(UnitOfWork(db, clock), cid, AddressIn(label=label, recipient="赵敏", phone="13600136000",
                                                                    line=line, lat=31.2, lng=121.45))
    doc = customers.export(db, cid)
    json.dumps(doc, ensure_ascii=False)  # ready to hand over as a file
    assert (doc["id"], doc["name"], doc["phone"], doc["email"]) == (cid, "赵敏", "13600136000", "zhao.min@example.com")
    assert doc["erased_at"] is None and doc["created_at"].startswith("2026-11-24")
    assert [a["line"] for a in doc["addresses"]] == ["静安区南京西路 1 号 101 室", "浦东新区世纪大道 100 号 A 座 2001 室"]
    with pytest.raises(NotFound):
        customers.export(db, 999_999)


def _snapshot(db: Database, cid: int) -> dict:
    with db.read() as s:
        order_ids = list(s.scalars(select(Order.id).where(Order.customer_id == cid)))
        return {
            "orders": s.execute(select(Order.id, Order.number, Order.status, Order.customer_id, Order.subtotal_fen,
                                       Order.total_fen, Order.fulfil_location_id, Order.mode)
                                .where(Order.id.in_(order_ids)).order_by(Order.id)).all(),
            "lines": s.execute(select(OrderLine.order_id, OrderLine.sku_id, OrderLine.quantity, OrderLine.line_total_fen)
                               .where(OrderLine.order_id.in_(order_ids)).order_by(OrderLine.id)).all(),
            "history": s.scalar(select(func.count()).select_from(OrderHistory)
                                .where(OrderHistory.order_id.in_(order_ids))),
            "payments": s.execute(select(Payment.order_id, Payment.amount_fen, Payment.status)
                                  .where(Payment.order_id.in_(order_ids)).order_by(Payment.id)).all(),
            "ledger": s.execute(select(StockMovement.location_id, StockMovement.sku_id, func.sum(StockMovement.quantity))
                                .group_by(StockMovement.location_id, StockMovement.sku_id)
                                .order_by(StockMovement.location_id, StockMovement.sku_id)).all(),
        }


def _erase(db: Database, clock: FixedClock, cid: int) -> bool:
    """As the accounts area composes it: the customer, and their orders' ship-to, in one transaction."""
    uow = UnitOfWork(db, clock)
    uow.before_commit.append(lambda s: orders.erase_customer(s, cid))
    return customers.erase(uow, cid)


def test_erasure_pseudonymises_but_keeps_order_history_and_ledgers(
        fresh_db: Database, clock: FixedClock, monkeypatch: pytest.MonkeyPatch) -> None:
    generate(fresh_db, SIZE, seed=3, anchor=ANCHOR)
    with fresh_db.read() as s:
        cid = s.scalars(select(Order.customer_id).where(Order.ship_address.is_not(None))
                        .group_by(Order.customer_id).order_by(func.count().desc())).first()
        c = s.get(Customer, cid)
        old_phone, old_name = c.phone, c.name
        n_addresses = s.scalar(select(func.count()).select_from(Address).where(Address.customer_id == cid))
        shipped = s.scalar(select(func.count()).select_from(Order).where(Order.customer_id == cid,
                                                                          Order.ship_address.is_not(None)))
    email = "erase.me@example.com"
    with UnitOfWork(fresh_db, clock) as uow:  # give them an e-mail too
        row = uow.session.get(Customer, cid)
        row.email, row.email_hash = email, pii.lookup_hash(email, "email")
        uow.commit()
    before = _snapshot(fresh_db, cid)
    assert before["orders"] and shipped and n_addresses

    assert _erase(fresh_db, clock, cid) is True

    with fresh_db.read() as s:
        c = s.get(Customer, cid)
        assert (c.name, c.phone, c.phone_hash, c.email, c.email_hash) == (f"已注销用户{cid}", None, None, None, None)
        assert c.erased_at == clock.now() and old_name not in c.name
        assert c.home_lat == round(c.home_lat, 2) and c.home_lng == round(c.home_lng, 2)
        for a in s.scalars(select(Address).where(Address.customer_id == cid)):
            assert (a.recipient, a.phone, a.line) == ("", "", "")
            assert (a.lat, a.lng) == (round(a.lat, 2), round(a.lng, 2))
        ship = s.execute(select(Order.ship_address, Order.ship_lat, Order.ship_lng)
                         .where(Order.customer_id == cid)).all()
        assert sum(1 for a, _, _ in ship if a == "") == shipped
        assert all(a in ("", None) for a, _, _ in ship)
        assert all(lat is None or lat == round(lat, 2) for _, lat, _ in ship)
        assert customers.find_by_phone(s, old_phone) is None
        assert customers.find_by_email(s, email) is None
    assert _snapshot(fresh_db, cid) == before  # orders, lines, history, payments, ledger: untouched
    assert inventory.check(fresh_db).ok
    assert customers.get(fresh_db, cid).phone is None
    assert customers.export(fresh_db, cid)["addresses"][0]["line"] == ""
    assert _events(fresh_db, "customers.erased") == [{"customer_id": cid}]

    # a second erasure changes nothing and tells nobody
    assert _erase(fresh_db, clock, cid) is False
    assert _events(fresh_db, "customers.erased") == [{"customer_id": cid}]
    assert _snapshot(fresh_db, cid) == before

    # the freed phone can register again, as someone new
    again = customers.create(UnitOfWork(fresh_db, clock), CustomerIn(name="新人", phone=old_phone))
    assert again.id != cid

    monkeypatch.setenv("O2O_DATABASE_URL", fresh_db.url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["check"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "OK" in result.output


def test_erasing_an_unknown_customer_is_not_found(db: Database, clock: FixedClock) -> None:
    with pytest.raises(NotFound):
        customers.erase(UnitOfWork(db, clock), 999_999)
