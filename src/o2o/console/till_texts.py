"""The console's till screens (收银台钱箱: open, cash in/out, close, Z-report, the store's report), in English and
Chinese ("{name}" placeholders)."""

from __future__ import annotations

from o2o.kernel.catalogs import catalog_texts
from o2o.web.templating import Texts

TEXTS: Texts = catalog_texts("console.till_texts")
