"""Texts of the storefront order page's parts (issue 13): an order served from several locations."""

from __future__ import annotations

from o2o.kernel.catalogs import catalog_texts
from o2o.web.templating import Texts

TEXTS: Texts = catalog_texts("shop.split_texts")
