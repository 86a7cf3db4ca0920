"""Till test rows: a terminal at a store, a till session opened on it (an online POS sale needs one: 409
till-not-open otherwise), and POS sales paid by tenders straight into the tables (the till sessions'
arithmetic reads them whoever rang them up)."""

from __future__ import annotations

import itertools

from o2o.deps import Container
from o2o.iam.permissions import ROLES
from o2o.kernel.auth import Principal
from o2o.orders.models import Order
from o2o.pos import tills
from o2o.pos.models import PosSale, PosTender, Terminal
from o2o.pos.till_schemas import CloseIn, OpenIn

_n = itertools.count(1)


def terminal(c: Container, location_id: int, code: str = "T01") -> int:
    with c.uow() as uow:
        t = Terminal(location_id=location_id, code=code, name=f"Till {code}", created_at=uow.clock.now())
        uow.session.add(t)
        uow.session.flush()
        uow.commit()
        return t.id


OPENER = Principal("staff", 0, "till-opener", role="operator", actions=ROLES["operator"])


def open_session(c: Container, terminal_id: int, float_fen: int = 0, by: Principal = OPENER) -> int:
    """Open a till session on the terminal (through o2o.pos.tills, as head office unless `by`): its id."""
    return tills.open_till(c.uow(), by, terminal_id, OpenIn(float_fen=float_fen)).id


def close_session(c: Container, session_id: int, cash_fen: int = 0, by: Principal = OPENER) -> None:
    """Close a till session, `cash_fen` counted in the drawer (the other tenders 0)."""
    tills.close(c.uow(), by, session_id, CloseIn(counted={"cash": cash_fen}))  # type: ignore[arg-type]


def sale(c: Container, terminal_id: int, location_id: int, session_id: int | None,
         tenders: list[tuple[str, int, int]], clerk: str = "staff:test") -> int:
    """A completed POS order paid by `tenders` (kind, amount_fen net of change, change_fen)."""
    n = next(_n)
    with c.uow() as uow:
        s, now = uow.session, uow.clock.now()
        total = sum(a for _, a, _ in tenders)
        o = Order(number=f"SO2026112499{n:04d}", channel="pos", status="completed", wanted_mode="pickup",
                  mode="pickup", chosen_location_id=location_id, fulfil_location_id=location_id, route_reason="till",
                  subtotal_fen=total, delivery_fee_fen=0, total_fen=total, created_at=now, paid_at=now,
                  completed_at=now)
        s.add(o)
        s.flush()
        ps = PosSale(terminal_id=terminal_id, till_sale_id=f"S{n}", order_id=o.id, session_id=session_id, clerk=clerk,
                     sold_at=now, received_at=now, offline=session_id is None)
        s.add(ps)
        s.flush()
        for kind, amount, change in tenders:
            s.add(PosTender(order_id=o.id, sale_id=ps.id, session_id=session_id, kind=kind, amount_fen=amount,
                            change_fen=change, clerk=clerk, created_at=now))
        uow.commit()
        return o.id
