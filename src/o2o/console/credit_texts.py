"""Texts of POS-lite's store credit (o2o.console.pos): the member's balance and the store-credit tender."""

from __future__ import annotations

from o2o.kernel.catalogs import catalog_texts
from o2o.web.templating import Texts

TEXTS: Texts = catalog_texts("console.credit_texts")
