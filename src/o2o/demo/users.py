"""Demo accounts: suppliers for the catalog, one staff user per role, a customer to sign in as.

Idempotent: users and suppliers that exist are left as they are, so `o2o demo` can print the
logins on every start. The password is for the demo only and is printed on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update

from o2o.catalog.models import Product, Supplier
from o2o.customers import service as customers
from o2o.deps import Container
from o2o.iam import admin
from o2o.iam.models import StaffUser
from o2o.iam.schemas import StaffIn
from o2o.locations import service as locations

DEMO_PASSWORD = "o2o-demo-2026"
SUPPLIERS = [("SUP-BRIGHT", "光明乳业 Bright Dairy"), ("SUP-MENGNIU", "蒙牛 Mengniu"),
             ("SUP-NONGFU", "农夫山泉 Nongfu Spring"), ("SUP-UNIPRES", "统一 Uni-President"),
             ("SUP-LOCAL", "本地生鲜合作社 Local Fresh Co-op")]


@dataclass(frozen=True)
class DemoLogin:
    role: str
    login: str
    scope: str


def _ensure_suppliers(c: Container) -> int:
    """Five suppliers, each supplying every fifth product; returns the first supplier's id."""
    with c.uow() as uow:
        s = uow.session
        if not s.scalar(select(func.count()).select_from(Supplier)):
            s.add_all([Supplier(code=code, name=name) for code, name in SUPPLIERS])
            s.flush()
            ids = list(s.scalars(select(Supplier.id).order_by(Supplier.id)))
            for i, supplier_id in enumerate(ids):
                s.execute(update(Product).where(Product.supplier_id.is_(None), Product.id % len(ids) == i)
                          .values(supplier_id=supplier_id))
            uow.commit()
        return s.scalar(select(func.min(Supplier.id))) or 0


def ensure_demo_users(c: Container) -> list[DemoLogin]:
    stores = locations.list_all(c.db, "store")
    if not stores:
        return []
    first, second = stores[0], stores[min(1, len(stores) - 1)]
    supplier_id = _ensure_suppliers(c)
    wanted = [
        ("platform_admin", "admin", None, None, "everything"),
        ("operator", "ops", None, None, "brand HQ: every store"),
        ("store_manager", "manager", first.id, None, first.name_en),
        ("clerk", "clerk", first.id, None, first.name_en),
        ("clerk", "clerk2", second.id, None, second.name_en),
        ("supplier", "supplier", None, supplier_id, SUPPLIERS[0][1]),
        ("analyst", "analyst", None, None, "reports, masked data"),
    ]
    out = []
    with c.uow() as uow:
        s = uow.session
        for role, login, store_id, sup, scope in wanted:
            if s.scalar(select(StaffUser.id).where(StaffUser.login == login)) is None:
                admin.create_user(s, StaffIn(login=login, name=f"Demo {role}", role=role, store_id=store_id,  # type: ignore[arg-type]
                                             supplier_id=sup), uow.clock.now(), "demo",
                                  password_hash=c.passwords.hash(DEMO_PASSWORD))
            out.append(DemoLogin(role, login, scope))
        uow.commit()
    return out


def demo_customer_phone(c: Container) -> str | None:
    """The phone of the first demo customer (they sign in with a code from the dev inbox)."""
    with c.db.read() as s:
        return customers.phone_of(s, 1)
