"""The console's names of an order's channel and status (the 360 profile's order list), as the admin
names them."""

from __future__ import annotations

from o2o.kernel.catalogs import catalog_texts
from o2o.web.templating import Texts

TEXTS: Texts = catalog_texts("console.order_texts")
