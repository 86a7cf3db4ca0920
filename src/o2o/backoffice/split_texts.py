"""Texts of the back-office order page's parts (issue 13): an order served from several locations, each
part's lines, and the link to "why this store" (/admin/orders/{number}/sourcing)."""

from __future__ import annotations

from o2o.kernel.catalogs import catalog_texts
from o2o.web.templating import Texts

TEXTS: Texts = catalog_texts("backoffice.split_texts")
