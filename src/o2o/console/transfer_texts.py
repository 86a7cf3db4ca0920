"""The console's transfer receipts (调拨收货): counting what arrived per line, the difference, stock on the
way; in English and Chinese ("{name}" placeholders)."""

from __future__ import annotations

from o2o.kernel.catalogs import catalog_texts
from o2o.web.templating import Texts

TEXTS: Texts = catalog_texts("console.transfer_texts")
