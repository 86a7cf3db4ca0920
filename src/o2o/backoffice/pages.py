"""Pages of the backoffice front-end (server-rendered; access per route in o2o.iam.permissions).

Head office only: the one router (o2o.backoffice.common.router) depends on `common.head_office`, so
store-bound callers are sent to their own console. Each module below adds its pages to the router:
dashboard, products (list, new), product_edit (one product: details, SKUs, pictures, stock), stores,
stock (grid and CSV export), orders, users.
"""

from __future__ import annotations

# product_edit imports products first: /admin/products/new is matched before /admin/products/{product_id}
from o2o.backoffice import (  # noqa: F401
    audit,  # noqa: F401  (the audit log, in the back-office layout)
    campaigns,  # noqa: F401  (promotions and coupons: editor, issue, results)
    dashboard,
    loyalty,  # noqa: F401  (membership rules)
    members,  # noqa: F401  (member list, 360 profile, merge)
    orders,
    product_edit,
    products,
    reconcile,  # noqa: F401  (payment statements)
    returns,  # noqa: F401  (the refund queue: approve, refuse, refund; time to refund per store)
    sla,  # noqa: F401  (orders at risk of missing their promise; on-time rate per store)
    sourcing,  # noqa: F401  (the sourcing rules editor and "why these locations" of an order)
    stock,
    store_edit,  # noqa: F401  (a store's form: hours, reach, capacity, paused online orders)
    stores,
    tills,  # noqa: F401  (till cash differences)
    transfers,  # noqa: F401  (list, batch planner and progress, discrepancy queue)
    users,
)
from o2o.backoffice.common import router

__all__ = ["router"]
