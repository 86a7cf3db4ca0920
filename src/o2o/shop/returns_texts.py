"""Texts of the storefront's after-sales pages: 申请退款/退货 on an order, and its progress on the order page."""

from __future__ import annotations

from o2o.kernel.catalogs import catalog_texts
from o2o.web.templating import Texts

TEXTS: Texts = catalog_texts("shop.returns_texts")
