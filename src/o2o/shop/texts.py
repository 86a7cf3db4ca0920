"""The storefront's texts (gettext catalogs, domain shop.texts; "{name}" placeholders)."""

from __future__ import annotations

from o2o.kernel.catalogs import catalog_texts, merged
from o2o.shop.address_texts import TEXTS as ADDRESS_TEXTS
from o2o.shop.coupon_texts import TEXTS as COUPON_TEXTS
from o2o.shop.quick_texts import TEXTS as QUICK_TEXTS
from o2o.shop.tier_texts import TEXTS as TIER_TEXTS
from o2o.web.templating import Texts

# the address entry's texts (search, map pin, door) are the storefront's too: checkout embeds it
# and the coupons' (the nav's 领券, checkout's discounts and coupon choice); every language of the catalogs
TEXTS: Texts = merged(catalog_texts("shop.texts"), ADDRESS_TEXTS, TIER_TEXTS, QUICK_TEXTS, COUPON_TEXTS)
