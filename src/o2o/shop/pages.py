"""Pages of the shop front-end (server-rendered; access per route in o2o.iam.permissions).

Phone first: pick or locate a store, browse with its stock and prices, a cart kept on the server,
sign in by phone code, check out, pay in the sandbox, follow the order. Each module below adds its
pages to the one router.
"""

from __future__ import annotations

from o2o.shop import (  # noqa: F401  (they add their routes)
    account,
    addresses,
    basket,
    browse,
    cancel,
    checkout,
    coupons,
    follow,
    groupbuy,
    history,
    member,
    returns,
)
from o2o.shop.web import router

__all__ = ["router"]
