"""Texts of the back-office's sourcing pages (o2o.backoffice.sourcing): the rules editor and "why this store"."""

from __future__ import annotations

from o2o.kernel.catalogs import catalog_texts
from o2o.web.templating import Texts

TEXTS: Texts = catalog_texts("backoffice.sourcing_texts")
