"""Texts of the words re-sourcing writes in English into rows (issue 13): a fulfilment's reason ("re-sourced
from location 3"), its history notes ("re-sourced to 4: sku 7 x2", "rejected by the store: <words>") and the
order's ("re-sourced from location 3 to 4, 5"), shown in the page's language through o2o.web.vocabulary
(|route_reason, |history_note); a store's own words stay as written."""

from __future__ import annotations

from o2o.kernel.catalogs import catalog_texts

TEXTS: dict[str, dict[str, str]] = catalog_texts("web.vocabulary_resourcing_texts")
