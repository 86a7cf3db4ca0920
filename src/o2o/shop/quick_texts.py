"""Texts of quick buying: the list's +/- steppers, the floating cart bar with the progress to free
store delivery, the category rail (phone)."""

from __future__ import annotations

from o2o.kernel.catalogs import catalog_texts
from o2o.web.templating import Texts

TEXTS: Texts = catalog_texts("shop.quick_texts")
