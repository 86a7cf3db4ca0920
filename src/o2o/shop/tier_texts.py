"""Texts of a member's benefits where the storefront applies them: tier prices on lines, the waived
delivery fee, the favorites link (nav and member centre)."""

from __future__ import annotations

from o2o.kernel.catalogs import catalog_texts
from o2o.web.templating import Texts

TEXTS: Texts = catalog_texts("shop.tier_texts")
