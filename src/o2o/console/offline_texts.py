"""The console's stock lines to count after offline till sales (stock page), in English and Chinese."""

from __future__ import annotations

from o2o.kernel.catalogs import catalog_texts
from o2o.web.templating import Texts

TEXTS: Texts = catalog_texts("console.offline_texts")
