"""Pages of the store console (server-rendered; access per route in o2o.iam.permissions).

Every page and action under /console/{location_id} first checks the location against the caller
(`common.store_in_scope`): a clerk or store manager of store A gets 404 on store B's pages; HQ roles
reach every location. The pages are split by task: queue.py (today's orders, pick, ready, dispatch,
re-issue), handover.py (scan or type the pickup code), stock.py (look-up and movements), transfers.py
(requests between locations; who may request, send and receive is in its docstring).
"""

from __future__ import annotations

from o2o.console import (  # noqa: F401  (each adds its pages to the router)
    coupons,
    couriers,  # a store delivery's courier: raise the tip
    handover,
    live,
    members,
    picking,
    pos,  # POS-lite: ring up a sale in the browser
    queue,
    returns,
    stock,
    till,  # the till: open, cash in/out, close, Z-report
    transfers,
)
from o2o.console.common import router

__all__ = ["router"]
