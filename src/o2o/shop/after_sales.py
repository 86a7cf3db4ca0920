"""The order page's after-sales block (o2o.shop.returns has the request form): the order's returns and their
progress, with the returns texts."""

from __future__ import annotations

from typing import Any

import segno
from fastapi import Request
from markupsafe import Markup

from o2o.couriers import view as courier_view
from o2o.deps import Container
from o2o.returns import service as returns
from o2o.shop.returns_texts import TEXTS
from o2o.web.templating import Translator, locale_of

QR_PREFIX = "O2O-RETURN:"


def progress(request: Request, c: Container, number: str) -> dict[str, Any]:
    """What the order page shows of the order's returns (and the 申请退款/退货 button's texts)."""
    items = returns.of_order(c.db, number, c.clock.now())
    # the desk scans this QR to find the return (o2o.console.returns)
    qrs = {r.number: Markup(segno.make(f"{QR_PREFIX}{r.number}", micro=False).svg_inline(scale=3, omitsize=False))
           for r in items if r.status in ("requested", "approved")}
    left = sum(ln.returnable for ln in returns.returnable(c.db, number))  # the button only while some can
    pickups = courier_view.for_returns(c.db, [r.id for r in items if r.method == "courier"], locale_of(request))
    return {**pickups, "returns": items, "return_qrs": qrs, "returnable_units": left, "rt": Translator(locale_of(request), [TEXTS]),
            "returned": request.query_params.get("returned", "")[:24]}
