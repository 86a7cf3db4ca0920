"""The campaign editor's and results page's texts (automatic promotions and coupon templates), in English
and Chinese ("{name}" placeholders)."""

from __future__ import annotations

from o2o.kernel.catalogs import catalog_texts
from o2o.web.templating import Texts

TEXTS: Texts = catalog_texts("backoffice.campaign_texts")
