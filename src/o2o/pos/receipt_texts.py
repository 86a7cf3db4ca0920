"""The printed receipt of a till sale (小票), in English and Chinese ("{name}" placeholders)."""

from __future__ import annotations

from collections.abc import Mapping

from o2o.kernel.catalogs import catalog_texts

TEXTS: Mapping[str, Mapping[str, str]] = catalog_texts("pos.receipt_texts")
