"""Texts of the storefront's 关注 (following), recently viewed and member code pages."""

from __future__ import annotations

from o2o.kernel.catalogs import catalog_texts
from o2o.web.templating import Texts

TEXTS: Texts = catalog_texts("shop.follow_texts")
