"""Which channel an order comes through: decided by who places it, never taken on the body's word.

- customers order through the online channels (h5, pc, app, miniprogram, douyin, wechat) and may say
  which of them they use; h5 when they name none;
- tills sell at a store: store staff, store-bound API keys and keys with the `pos:write` scope; their
  orders are `pos`;
- everyone else (HQ staff, integrations such as an ERP or a marketplace) may name any channel but
  `pos`; `api` when they name none.

A claim outside what the caller may say is refused (422 naming `channel`), never silently rewritten.
"""

from __future__ import annotations

from o2o.kernel.auth import Principal
from o2o.kernel.errors import InvalidInput
from o2o.orders.models import API, CUSTOMER_CHANNELS, POS


def is_till(p: Principal) -> bool:
    """Store staff and store-bound keys sell at their store's till, and so does a key with `pos:write`."""
    return not p.is_customer and (p.store_id is not None or (p.kind == "api_key" and p.can("pos:write")))


def channel_for(p: Principal, asked: str | None) -> str:
    """The channel of an order `p` places; `asked` is the channel the request named (None: none)."""
    if p.is_customer:
        if asked is not None and asked not in CUSTOMER_CHANNELS:
            raise InvalidInput("channel", f"a customer orders through one of {', '.join(CUSTOMER_CHANNELS)}")
        return asked or "h5"
    if is_till(p):
        if asked not in (None, POS):
            raise InvalidInput("channel", "store staff, store keys and pos:write keys sell through channel pos")
        return POS
    if asked == POS:
        raise InvalidInput("channel", "pos is for sales at a store's till (store staff, store or pos:write keys)")
    return asked or API
