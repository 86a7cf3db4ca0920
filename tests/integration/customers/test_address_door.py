"""The door number (门牌号) is personal data like the rest of an address: sealed at rest, in the
customer's export, masked for staff without pii:read, gone when the customer is erased (both databases)."""

from __future__ import annotations

from sqlalchemy import text

from o2o.customers import service as customers
from o2o.customers.routes import mask_address
from o2o.customers.schemas import AddressIn, CustomerIn
from o2o.kernel import pii
from o2o.kernel.clock import FixedClock
from o2o.kernel.db import Database
from o2o.kernel.uow import UnitOfWork

DOOR = "7号楼3单元602室"


def test_the_door_number_is_sealed_exported_masked_and_erased(db: Database, clock: FixedClock) -> None:
    cid = customers.create(UnitOfWork(db, clock), CustomerIn(name="赵六", phone="13600136000")).id
    a = customers.add_address(UnitOfWork(db, clock), cid, AddressIn(line="徐汇区漕溪北路", door=DOOR, recipient="赵六",
                                                                   lat=31.1955, lng=121.4374))
    assert a.door == DOOR
    with db.read() as s:
        raw = s.execute(text("SELECT door FROM address WHERE id = :i"), {"i": a.id}).scalar()
    assert raw and DOOR not in raw and "602" not in raw
    assert customers.export(db, cid)["addresses"][0]["door"] == DOOR
    assert mask_address(a).door == pii.MASK and mask_address(a.model_copy(update={"door": None})).door is None
    old = customers.add_address(UnitOfWork(db, clock), cid, AddressIn(line="静安区南京西路", lat=31.22, lng=121.45))
    assert old.door == ""  # none given: empty, as the other optional fields
    assert customers.erase(UnitOfWork(db, clock), cid)
    assert [x.door for x in customers.addresses(db, cid)] == [None, None]
    with db.read() as s:
        assert s.execute(text("SELECT count(*) FROM address WHERE customer_id = :c AND door IS NOT NULL"),
                         {"c": cid}).scalar() == 0
