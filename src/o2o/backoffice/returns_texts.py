"""Texts of the back-office's refund queue (o2o.backoffice.returns)."""

from __future__ import annotations

from o2o.kernel.catalogs import catalog_texts
from o2o.web.templating import Texts

TEXTS: Texts = catalog_texts("backoffice.returns_texts")
