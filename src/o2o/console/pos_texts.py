"""The console's POS-lite till (收银) and the printed receipt, in English and Chinese ("{name}" placeholders)."""

from __future__ import annotations

from o2o.kernel.catalogs import catalog_texts
from o2o.web.templating import Texts

TEXTS: Texts = catalog_texts("console.pos_texts")
