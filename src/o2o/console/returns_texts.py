"""Texts of the store console's returns desk (o2o.console.returns)."""

from __future__ import annotations

from o2o.kernel.catalogs import catalog_texts
from o2o.web.templating import Texts

TEXTS: Texts = catalog_texts("console.returns_texts")
