"""Texts of the console's re-sourcing (issue 13): a store rejects an order it has not started, and the pick
list says where the rest went ("re-sourced to <store>") or where it came from."""

from __future__ import annotations

from o2o.kernel.catalogs import catalog_texts
from o2o.web.templating import Texts

TEXTS: Texts = catalog_texts("console.resourcing_texts")
