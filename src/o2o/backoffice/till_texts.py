"""The back-office's till differences page (/admin/tills, o2o.backoffice.tills), in English and Chinese."""

from __future__ import annotations

from o2o.kernel.catalogs import catalog_texts
from o2o.web.templating import Texts

TEXTS: Texts = catalog_texts("backoffice.till_texts")
