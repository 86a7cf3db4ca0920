"""Texts of the back-office's SLA page (o2o.backoffice.sla): the live at-risk list and the on-time rate."""

from __future__ import annotations

from o2o.kernel.catalogs import catalog_texts
from o2o.web.templating import Texts

TEXTS: Texts = catalog_texts("backoffice.sla_texts")
