"""Texts of the console board's at-risk section (o2o.console.sla_board)."""

from __future__ import annotations

from o2o.kernel.catalogs import catalog_texts
from o2o.web.templating import Texts

TEXTS: Texts = catalog_texts("console.sla_texts")
