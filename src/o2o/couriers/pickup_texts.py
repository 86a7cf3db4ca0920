"""Texts of a return's courier pickup (issue 11) on the storefront's order page, the store's returns desk and
the back-office refund queue: the pickup's status in its own words (the rider goes to the customer, then to
the store). The lead converts this module into the gettext catalogs."""

from __future__ import annotations

from o2o.kernel.catalogs import catalog_texts
from o2o.web.templating import Texts

TEXTS: Texts = catalog_texts("couriers.pickup_texts")
