"""The back-office's transfers (调拨): the list, the batch planner and its progress, the discrepancy queue;
in English and Chinese ("{name}" placeholders)."""

from __future__ import annotations

from o2o.kernel.catalogs import catalog_texts
from o2o.web.templating import Texts

TEXTS: Texts = catalog_texts("backoffice.transfer_texts")
