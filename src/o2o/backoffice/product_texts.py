"""Texts of the product pages (list, new, edit), zh-CN and en."""

from __future__ import annotations

from o2o.kernel.catalogs import catalog_texts
from o2o.web.templating import Texts

TEXTS: Texts = catalog_texts("backoffice.product_texts")
