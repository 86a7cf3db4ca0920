"""Texts of the storefront's address book and address entry (search, map pin, door number)."""

from __future__ import annotations

from o2o.kernel.catalogs import catalog_texts
from o2o.web.templating import Texts

TEXTS: Texts = catalog_texts("shop.address_texts")
