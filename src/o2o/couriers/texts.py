"""Texts of the courier parts of the pages (issue 13): the admin order page, the console's cards and the
storefront's order page. The lead converts this module into the gettext catalogs."""

from __future__ import annotations

from o2o.kernel.catalogs import catalog_texts
from o2o.web.templating import Texts

TEXTS: Texts = catalog_texts("couriers.texts")
