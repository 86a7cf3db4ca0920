"""Every text of the store console, in English and Simplified Chinese ("{name}" placeholders)."""

from __future__ import annotations

from o2o.console.coupon_texts import TEXTS as COUPON_TEXTS
from o2o.console.offline_texts import TEXTS as OFFLINE_TEXTS
from o2o.console.order_texts import TEXTS as ORDER_TEXTS
from o2o.console.pos_texts import TEXTS as POS_TEXTS
from o2o.console.returns_texts import TEXTS as RETURNS_TEXTS
from o2o.console.till_texts import TEXTS as TILL_TEXTS
from o2o.console.transfer_texts import TEXTS as TRANSFER_TEXTS
from o2o.kernel.catalogs import catalog_texts
from o2o.web.templating import Texts

TEXTS: Texts = catalog_texts("console.texts")

for _lang, _texts in ORDER_TEXTS.items():  # an order's channel and status, as the admin names them
    TEXTS[_lang].update(_texts)
for _lang, _texts in COUPON_TEXTS.items():  # the coupon redemption screen (o2o.console.coupons)
    TEXTS[_lang].update(_texts)
for _lang, _texts in POS_TEXTS.items():  # POS-lite (o2o.console.pos)
    TEXTS[_lang].update(_texts)
for _lang, _texts in TRANSFER_TEXTS.items():  # transfer receipts (o2o.console.transfers)
    TEXTS[_lang].update(_texts)
for _lang, _texts in TILL_TEXTS.items():  # the till screens (o2o.console.till)
    TEXTS[_lang].update(_texts)
for _lang, _texts in RETURNS_TEXTS.items():  # the returns desk (o2o.console.returns)
    TEXTS[_lang].update(_texts)
for _lang, _texts in OFFLINE_TEXTS.items():  # stock lines to count after offline till sales (stock page)
    TEXTS[_lang].update(_texts)
