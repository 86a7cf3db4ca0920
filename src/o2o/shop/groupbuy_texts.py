"""Group buying pages' texts (拼团) in English and Chinese ("{name}" placeholders)."""

from __future__ import annotations

from o2o.kernel.catalogs import catalog_texts
from o2o.web.templating import Texts

TEXTS: Texts = catalog_texts("shop.groupbuy_texts")
