"""Texts of the words services write in English into rows (routing reasons, actors, history notes, audit
actions), as every page shows them in its language (o2o.web.vocabulary)."""

from __future__ import annotations

from o2o.kernel.catalogs import catalog_texts

TEXTS: dict[str, dict[str, str]] = catalog_texts("web.vocabulary_texts")
