"""Texts of the member centre's store credit line (o2o.shop.member)."""

from __future__ import annotations

from o2o.kernel.catalogs import catalog_texts
from o2o.web.templating import Texts

TEXTS: Texts = catalog_texts("shop.credit_texts")
