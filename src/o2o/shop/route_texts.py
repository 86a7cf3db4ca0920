"""Texts of "why this store" on the storefront for an order the sourcing engine placed (o2o.shop.explain):
the engine's reason ("1 location(s), 300 fen by exact") is for the staff and the record; the shopper is told
where the goods come from, never the costs."""

from __future__ import annotations

from o2o.kernel.catalogs import catalog_texts
from o2o.web.templating import Texts

TEXTS: Texts = catalog_texts("shop.route_texts")
