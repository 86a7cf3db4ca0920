"""The permission table: which role may take which action, and which action each route needs.

Every route of the app must appear in ROUTES (a test walks the app's route list and fails on
one that is missing; the guard refuses such a route with 500 too). Scope (own store, own data)
is applied by the areas on top of this table.
"""

from __future__ import annotations

from dataclasses import dataclass

ACTIONS: dict[str, str] = {
    "catalog:write": "create and edit products and SKUs",
    "price:write": "set store prices",
    "locations:write": "create and edit stores and warehouses",
    "inventory:read": "look up stock and the ledger",
    "inventory:write": "receipts, adjustments, returns, safety stock",
    "inventory:transfer": "move stock from a location to another",
    "inventory:check": "run the stock consistency check",
    "orders:read": "read orders",
    "orders:write": "place orders for customers (POS), cancel, take payment",
    "fulfillment:read": "read a location's fulfilment queue",
    "fulfillment:write": "pick, mark ready, hand over",
    "fulfillment:ship": "ship and confirm delivery (carriers, couriers)",
    "fulfillment:reissue": "replace a pickup code (after a lock-out or a lost SMS)",
    "customers:read": "read customer profiles (masked)",
    "customers:write": "register customers at the till",
    "loyalty:manage": "edit tier rules, points rates and the points mall; adjust a member's points",
    "customers:merge": "merge two customers who are one person (moves every order, point and favorite)",
    "pii:read": "see unmasked personal data (every read is audited)",
    "pos:write": "till sales and returns",
    "till:operate": "open a till with a float, cash in and out, close it with the counts (o2o.pos.tills)",
    "till:override": "close a till session someone else opened",
    "till:report": "see the till cash differences per tender, clerk and store",
    "supplier:read": "a supplier's own products and their stock",
    "analytics:read": "dashboards and reports",
    "staff:read": "list staff users",
    "staff:manage": "invite, disable, enable and reset staff users",
    "apikeys:manage": "create, rotate and revoke integration API keys",
    "audit:read": "search the audit log",
    "payments:reconcile": "import the payment providers' daily statements and see the differences",
    "promotions:manage": "create and end promotions and coupon templates, issue coupons, see campaign results",
    "sourcing:manage": "configure the sourcing rules (which locations fulfil orders)",
}

_STORE_OPS = {"inventory:read", "inventory:write", "orders:read", "fulfillment:read", "fulfillment:write",
              "customers:read", "customers:write", "pos:write"}

ROLES: dict[str, frozenset[str]] = {
    "platform_admin": frozenset(ACTIONS),
    "operator": frozenset(_STORE_OPS | {
        "catalog:write", "price:write", "locations:write", "inventory:transfer", "inventory:check",
        "orders:write", "fulfillment:ship", "fulfillment:reissue", "pii:read", "analytics:read", "staff:read",
        "loyalty:manage", "payments:reconcile", "promotions:manage", "sourcing:manage",
        "staff:manage", "customers:merge"}),
    "store_manager": frozenset(_STORE_OPS | {
        "inventory:transfer", "orders:write", "fulfillment:ship", "fulfillment:reissue", "pii:read", "staff:read",
        "staff:manage"}),
    "clerk": frozenset(_STORE_OPS),
    "supplier": frozenset({"supplier:read"}),
    "analyst": frozenset({"inventory:read", "orders:read", "fulfillment:read", "customers:read",
                          "analytics:read"}),
}
# till sessions and cash (o2o.pos.tills): clerks open and close their store's tills; store managers also close
# others' sessions and see their store's report; head office sees every store's
for _role, _till in (("clerk", {"till:operate"}), ("store_manager", {"till:operate", "till:override", "till:report"}),
                     ("operator", {"till:operate", "till:override", "till:report"}), ("analyst", {"till:report"})):
    ROLES[_role] = ROLES[_role] | _till
STORE_ROLES = frozenset({"store_manager", "clerk"})

# who may create or manage users of which role
MANAGES: dict[str, frozenset[str]] = {
    "platform_admin": frozenset(ROLES),
    # never one's peers: whoever resets an account holds its invitation token for a moment
    "operator": frozenset(ROLES) - {"platform_admin", "operator"},
    "store_manager": frozenset({"clerk"}),
}

# what an integration key may be given (never user or key management, never the audit log)
API_SCOPES = frozenset(ACTIONS) - {"staff:read", "staff:manage", "apikeys:manage", "audit:read"}


@dataclass(frozen=True, slots=True)
class Rule:
    """What a route needs: nothing (public), a signed-in customer, and/or a staff action."""

    action: str | None = None  # staff users and API keys need this action
    customer: bool = False  # signed-in customers may call it (their own data only)
    public: bool = False
    dev_only: bool = False  # exists only when O2O_ENV=dev (dev inbox, payment sandbox)
    any_user: bool = False  # any signed-in customer or staff user (not API keys)


PUBLIC = Rule(public=True)
CUSTOMER = Rule(customer=True)
SIGNED_IN = Rule(customer=True, any_user=True)


def staff(action: str, customer: bool = False) -> Rule:
    assert action in ACTIONS, action
    return Rule(action=action, customer=customer)


V1 = "/api/v1"
ROUTES: dict[tuple[str, str], Rule] = {
    # ops and docs
    ("GET", "/"): PUBLIC,
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    ("GET", "/metrics"): PUBLIC,  # no sign-in: a token (O2O_METRICS_TOKEN) or a private network (kernel.metrics)
    ("GET", "/docs"): PUBLIC,
    ("GET", "/favicon.ico"): PUBLIC,
    # catalog and stores: browsing is public
    ("GET", f"{V1}/categories"): PUBLIC,
    ("GET", f"{V1}/catalog/suggest"): PUBLIC,
    ("GET", f"{V1}/products"): PUBLIC,
    ("GET", f"{V1}/products/{{product_id}}"): PUBLIC,
    ("POST", f"{V1}/products"): staff("catalog:write"),
    ("PUT", f"{V1}/skus/{{sku_id}}/store-prices"): staff("price:write"),
    ("GET", f"{V1}/suppliers"): staff("catalog:write"),
    ("POST", f"{V1}/suppliers"): staff("catalog:write"),
    ("GET", f"{V1}/supplier/products"): staff("supplier:read"),
    ("GET", f"{V1}/supplier/products/{{product_id}}"): staff("supplier:read"),
    ("GET", f"{V1}/locations"): PUBLIC,
    ("GET", f"{V1}/locations/{{location_id}}"): PUBLIC,
    ("POST", f"{V1}/locations"): staff("locations:write"),
    # stock
    ("GET", f"{V1}/stock"): staff("inventory:read"),
    ("POST", f"{V1}/stock/movements"): staff("inventory:write"),
    ("POST", f"{V1}/stock/counts"): staff("inventory:write"),
    ("POST", f"{V1}/stock/transfers"): staff("inventory:transfer"),
    ("PUT", f"{V1}/stock/{{location_id}}/{{sku_id}}/safety-stock"): staff("inventory:write"),
    ("GET", f"{V1}/stock/check"): staff("inventory:check"),
    # transfer requests: the asking location requests and receives (inventory:write); the source sends or
    # rejects (inventory:transfer: its store manager, or HQ)
    ("GET", f"{V1}/stock/transfer-requests"): staff("inventory:read"),
    ("POST", f"{V1}/stock/transfer-requests"): staff("inventory:write"),
    ("GET", f"{V1}/stock/transfer-requests/{{request_id}}"): staff("inventory:read"),
    ("POST", f"{V1}/stock/transfer-requests/{{request_id}}/send"): staff("inventory:transfer"),
    ("POST", f"{V1}/stock/transfer-requests/{{request_id}}/reject"): staff("inventory:transfer"),
    ("POST", f"{V1}/stock/transfer-requests/{{request_id}}/receive"): staff("inventory:write"),
    # in transit, receipt discrepancies (head office investigates and resolves), planned batches (head office)
    ("GET", f"{V1}/stock/in-transit"): staff("inventory:read"),
    ("GET", f"{V1}/stock/transfer-discrepancies"): staff("inventory:read"),
    ("POST", f"{V1}/stock/transfer-discrepancies/{{discrepancy_id}}/investigate"): staff("inventory:transfer"),
    ("POST", f"{V1}/stock/transfer-discrepancies/{{discrepancy_id}}/resolve"): staff("inventory:transfer"),
    ("POST", f"{V1}/stock/transfer-batch-previews"): staff("inventory:transfer"),
    ("POST", f"{V1}/stock/transfer-batches"): staff("inventory:transfer"),
    ("GET", f"{V1}/stock/transfer-batches/{{batch_id}}"): staff("inventory:read"),
    ("GET", f"{V1}/stock/rebalance-suggestion"): staff("inventory:transfer"),
    # customers
    ("POST", f"{V1}/customers"): staff("customers:write"),
    ("GET", f"{V1}/customers/{{customer_id}}"): staff("customers:read", customer=True),
    ("POST", f"{V1}/customers/{{customer_id}}/addresses"): CUSTOMER,  # staff may not plant a delivery address
    ("GET", f"{V1}/customers/{{customer_id}}/addresses"): staff("customers:read", customer=True),
    ("GET", f"{V1}/geo/suggest"): CUSTOMER,  # address entry: a signed-in shopper (a paid web service behind)
    ("GET", f"{V1}/geo/reverse"): CUSTOMER,
    ("GET", f"{V1}/customers/{{customer_id}}/profile"): staff("customers:read", customer=True),
    ("GET", f"{V1}/customers/{{customer_id}}/identities"): staff("customers:read", customer=True),
    ("POST", f"{V1}/customers/{{customer_id}}/identities"): staff("customers:write"),
    ("POST", f"{V1}/customers/{{customer_id}}/merge"): staff("customers:merge"),
    ("GET", f"{V1}/customers/{{customer_id}}/merges"): staff("customers:read"),
    ("GET", f"{V1}/members/lookup"): staff("customers:read"),
    ("GET", f"{V1}/me/favorites"): CUSTOMER,
    ("PUT", f"{V1}/me/favorites"): CUSTOMER,
    ("DELETE", f"{V1}/me/favorites/{{kind}}/{{target_id}}"): CUSTOMER,
    ("GET", f"{V1}/me/browsing"): CUSTOMER,
    ("GET", f"{V1}/me/member-code"): CUSTOMER,
    # loyalty: a member's points and tier, the points mall, the till's redemption, the rules
    ("GET", f"{V1}/me/points"): CUSTOMER,
    ("GET", f"{V1}/me/tier"): CUSTOMER,
    ("GET", f"{V1}/me/redemptions"): CUSTOMER,
    ("POST", f"{V1}/me/rewards/{{reward_id}}/redeem"): CUSTOMER,
    ("GET", f"{V1}/loyalty/rewards"): PUBLIC,
    ("POST", f"{V1}/loyalty/rewards"): staff("loyalty:manage"),
    ("GET", f"{V1}/customers/{{customer_id}}/points"): staff("customers:read"),
    ("GET", f"{V1}/customers/{{customer_id}}/tier"): staff("customers:read"),
    ("POST", f"{V1}/customers/{{customer_id}}/points/adjust"): staff("loyalty:manage"),
    ("POST", f"{V1}/pos/points/redeem"): staff("pos:write"),
    # the till API (o2o.pos.routes): the terminal's key (X-Api-Key) and the signed-in clerk (Bearer), both checked
    ("GET", f"{V1}/pos/members"): staff("pos:write"),
    ("GET", f"{V1}/pos/items/{{barcode}}"): staff("pos:write"),
    ("POST", f"{V1}/pos/quotes"): staff("pos:write"),
    ("POST", f"{V1}/pos/sales"): staff("pos:write"),
    ("GET", f"{V1}/pos/sales/{{sale_id}}"): staff("pos:write"),
    ("GET", f"{V1}/pos/sales/{{sale_id}}/receipt"): staff("pos:write"),
    ("GET", f"{V1}/pos/terminals"): staff("apikeys:manage"),
    ("POST", f"{V1}/pos/terminals"): staff("apikeys:manage"),
    ("GET", f"{V1}/loyalty/rules"): staff("loyalty:manage"),
    ("PUT", f"{V1}/loyalty/rules"): staff("loyalty:manage"),
    ("POST", f"{V1}/loyalty/rules/preview"): staff("loyalty:manage"),
    # promotions and coupons: the coupon centre and wallet (customers), the till's look-up and redemption
    # (a store's staff: pos:write, store-bound), campaigns (promotions:manage)
    ("GET", f"{V1}/coupons/center"): CUSTOMER,
    ("POST", f"{V1}/coupons/claim"): CUSTOMER,
    ("GET", f"{V1}/me/coupons"): CUSTOMER,
    ("POST", f"{V1}/coupons/redeem"): staff("pos:write"),
    ("GET", f"{V1}/coupons/lookup/{{code}}"): staff("pos:write"),
    ("GET", f"{V1}/promotions"): staff("promotions:manage"),
    ("POST", f"{V1}/promotions"): staff("promotions:manage"),
    ("GET", f"{V1}/promotions/{{promotion_id}}"): staff("promotions:manage"),
    ("PUT", f"{V1}/promotions/{{promotion_id}}"): staff("promotions:manage"),
    ("DELETE", f"{V1}/promotions/{{promotion_id}}"): staff("promotions:manage"),
    ("GET", f"{V1}/promotions/{{promotion_id}}/results"): staff("promotions:manage"),
    ("GET", f"{V1}/coupon-templates"): staff("promotions:manage"),
    ("POST", f"{V1}/coupon-templates"): staff("promotions:manage"),
    ("GET", f"{V1}/coupon-templates/{{template_id}}"): staff("promotions:manage"),
    ("PUT", f"{V1}/coupon-templates/{{template_id}}"): staff("promotions:manage"),
    ("DELETE", f"{V1}/coupon-templates/{{template_id}}"): staff("promotions:manage"),
    ("POST", f"{V1}/coupon-templates/{{template_id}}/issue"): staff("promotions:manage"),
    ("GET", f"{V1}/coupon-templates/{{template_id}}/results"): staff("promotions:manage"),
    # group buying (拼团): deals and groups are public to look at; customers open and join; operators manage
    ("GET", f"{V1}/groupbuy/deals"): PUBLIC,
    ("GET", f"{V1}/groupbuy/deals/{{deal_id}}"): PUBLIC,
    ("GET", f"{V1}/groupbuy/deals/{{deal_id}}/groups"): PUBLIC,
    ("POST", f"{V1}/groupbuy/deals/{{deal_id}}/groups"): CUSTOMER,
    ("GET", f"{V1}/groupbuy/groups/{{group_id}}"): PUBLIC,
    ("POST", f"{V1}/groupbuy/groups/{{group_id}}/join"): CUSTOMER,
    ("GET", f"{V1}/me/groups"): CUSTOMER,
    ("GET", f"{V1}/groupbuy/admin/deals"): staff("promotions:manage"),
    ("POST", f"{V1}/groupbuy/admin/deals"): staff("promotions:manage"),
    ("GET", f"{V1}/groupbuy/admin/deals/{{deal_id}}"): staff("promotions:manage"),
    ("PUT", f"{V1}/groupbuy/admin/deals/{{deal_id}}"): staff("promotions:manage"),
    ("DELETE", f"{V1}/groupbuy/admin/deals/{{deal_id}}"): staff("promotions:manage"),
    # till sessions and cash (o2o.pos.till_routes): a store's tills, scoped to the caller's store
    ("GET", f"{V1}/pos/tills"): staff("till:operate"),
    ("POST", f"{V1}/pos/tills/{{terminal_id}}/open"): staff("till:operate"),
    ("GET", f"{V1}/pos/till-sessions/{{session_id}}"): staff("till:operate"),
    ("POST", f"{V1}/pos/till-sessions/{{session_id}}/cash-moves"): staff("till:operate"),
    ("POST", f"{V1}/pos/till-sessions/{{session_id}}/close"): staff("till:operate"),
    ("GET", f"{V1}/pos/till-reports"): staff("till:report"),
    # offline tills (o2o.pos.sync_routes): a terminal's key uploads its queued sales; flagged stock lines
    ("POST", f"{V1}/pos/batches"): staff("pos:write"),
    ("GET", f"{V1}/stock/flagged"): staff("inventory:read"),
    # orders and payments
    ("POST", f"{V1}/orders"): staff("orders:write", customer=True),
    ("POST", f"{V1}/quotes"): staff("orders:write", customer=True),
    ("GET", f"{V1}/orders"): staff("orders:read", customer=True),
    ("GET", f"{V1}/orders/{{number}}"): staff("orders:read", customer=True),
    ("POST", f"{V1}/orders/{{number}}/cancel"): staff("orders:write", customer=True),
    ("POST", f"{V1}/orders/{{number}}/payments"): staff("orders:write", customer=True),
    # returns (o2o.returns.routes): customers their own orders; store staff any return (it may come back to
    # any store), receiving and refunding at their own store; head office approves, refuses, reads the times
    ("POST", f"{V1}/returns"): staff("pos:write", customer=True),
    ("GET", f"{V1}/returns"): staff("pos:write", customer=True),
    ("GET", f"{V1}/returns/returnable"): staff("pos:write", customer=True),
    ("GET", f"{V1}/returns/times"): staff("orders:read"),
    ("GET", f"{V1}/returns/{{return_id}}"): staff("pos:write", customer=True),
    ("GET", f"{V1}/returns/{{return_id}}/photos/{{photo_id}}"): staff("pos:write", customer=True),
    ("POST", f"{V1}/returns/{{return_id}}/cancel"): CUSTOMER,
    ("POST", f"{V1}/returns/{{return_id}}/approve"): staff("orders:write"),
    ("POST", f"{V1}/returns/{{return_id}}/refuse"): staff("orders:write"),
    ("POST", f"{V1}/returns/{{return_id}}/pickup"): staff("pos:write"),
    ("POST", f"{V1}/returns/{{return_id}}/receive"): staff("pos:write"),
    ("POST", f"{V1}/returns/{{return_id}}/refund"): staff("pos:write"),
    # the sandbox provider's notification: authenticated by its signature; a real provider's comes later
    ("POST", f"{V1}/payments/sandbox/notify"): Rule(public=True, dev_only=True),
    ("POST", f"{V1}/sandbox/payments/{{out_trade_no}}/complete"): Rule(public=True, dev_only=True),
    # the real providers' notifications: authenticated by their signatures (RSA), not by a caller
    ("POST", f"{V1}/payments/wechatpay/notify"): PUBLIC,
    ("POST", f"{V1}/payments/alipay/notify"): PUBLIC,
    # same-city couriers (o2o.couriers): the platforms' callbacks are authenticated by their signature;
    # a store sees its own deliveries and raises the tip when no rider takes one
    ("POST", f"{V1}/couriers/{{provider}}/callback"): PUBLIC,
    ("GET", f"{V1}/couriers/deliveries/{{delivery_id}}"): staff("fulfillment:read"),
    ("POST", f"{V1}/couriers/deliveries/{{delivery_id}}/tip"): staff("fulfillment:write"),
    # fulfilment
    ("GET", f"{V1}/fulfillments"): staff("fulfillment:read"),
    ("GET", f"{V1}/fulfillments/{{fulfillment_id}}"): staff("fulfillment:read"),
    ("POST", f"{V1}/fulfillments/{{fulfillment_id}}/picking"): staff("fulfillment:write"),
    ("POST", f"{V1}/fulfillments/{{fulfillment_id}}/ready"): staff("fulfillment:write"),
    ("POST", f"{V1}/fulfillments/{{fulfillment_id}}/handover"): staff("fulfillment:write"),
    ("POST", f"{V1}/fulfillments/{{fulfillment_id}}/reissue-code"): staff("fulfillment:reissue"),
    ("POST", f"{V1}/fulfillments/{{fulfillment_id}}/ship"): staff("fulfillment:ship"),
    ("POST", f"{V1}/fulfillments/{{fulfillment_id}}/reject"): staff("fulfillment:write"),
    ("POST", f"{V1}/fulfillments/{{fulfillment_id}}/delivered"): staff("fulfillment:ship"),
    ("GET", f"{V1}/fulfillments/{{fulfillment_id}}/qr.svg"): CUSTOMER,
    ("GET", f"{V1}/sourcing/rules"): staff("sourcing:manage"),
    ("POST", f"{V1}/sourcing/rules"): staff("sourcing:manage"),
    ("PATCH", f"{V1}/sourcing/rules/{{rule_id}}"): staff("sourcing:manage"),
    ("PUT", f"{V1}/sourcing/rule-order"): staff("sourcing:manage"),
    ("POST", f"{V1}/sourcing/preview"): staff("sourcing:manage"),
    ("GET", f"{V1}/sourcing/decisions/{{order_number}}"): staff("orders:read"),
    ("GET", f"{V1}/fulfilments/at-risk"): staff("fulfillment:read"),  # SLA (issue 13)
    ("GET", f"{V1}/reports/on-time"): staff("fulfillment:read"),
    # sign-in and sessions
    ("POST", f"{V1}/auth/otp"): PUBLIC,
    ("POST", f"{V1}/auth/otp/verify"): PUBLIC,
    ("POST", f"{V1}/auth/login"): PUBLIC,
    ("POST", f"{V1}/auth/wechat"): PUBLIC,
    ("POST", f"{V1}/auth/douyin"): PUBLIC,
    ("POST", f"{V1}/me/phone"): CUSTOMER,
    ("POST", f"{V1}/auth/staff/login"): PUBLIC,
    ("POST", f"{V1}/auth/refresh"): PUBLIC,
    ("POST", f"{V1}/auth/invite/accept"): PUBLIC,
    ("POST", f"{V1}/auth/logout"): SIGNED_IN,
    ("POST", f"{V1}/auth/logout-all"): SIGNED_IN,
    ("GET", f"{V1}/me"): SIGNED_IN,
    ("PUT", f"{V1}/me/password"): CUSTOMER,
    ("GET", f"{V1}/me/export"): CUSTOMER,
    ("POST", f"{V1}/me/erasure"): CUSTOMER,
    # messages: SMS delivery receipts (the providers push them; a shared token in the URL) and WeChat consents
    ("POST", f"{V1}/messages/sms/receipts/aliyun/{{token}}"): PUBLIC,
    ("POST", f"{V1}/messages/sms/receipts/tencent/{{token}}"): PUBLIC,
    ("POST", f"{V1}/me/wechat/subscriptions"): CUSTOMER,
    # staff users and integration keys
    ("GET", f"{V1}/staff"): staff("staff:read"),
    ("POST", f"{V1}/staff"): staff("staff:manage"),
    ("POST", f"{V1}/staff/{{user_id}}/disable"): staff("staff:manage"),
    ("POST", f"{V1}/staff/{{user_id}}/enable"): staff("staff:manage"),
    ("POST", f"{V1}/staff/{{user_id}}/reset"): staff("staff:manage"),
    ("GET", f"{V1}/api-keys"): staff("apikeys:manage"),
    ("POST", f"{V1}/api-keys"): staff("apikeys:manage"),
    ("POST", f"{V1}/api-keys/{{key_id}}/rotate"): staff("apikeys:manage"),
    ("DELETE", f"{V1}/api-keys/{{key_id}}"): staff("apikeys:manage"),
    # audit log
    ("GET", f"{V1}/audit"): staff("audit:read"),
    ("GET", "/admin/audit"): staff("audit:read"),
    # pages: staff sign-in, and where staff land after it (their console or the back-office)
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("POST", "/logout"): SIGNED_IN,
    ("GET", "/staff"): Rule(any_user=True),
    ("GET", "/dev/inbox"): Rule(public=True, dev_only=True),
    ("GET", f"{V1}/dev/sms"): Rule(public=True, dev_only=True),
    # --- storefront pages (o2o.shop) ---
    # browsing, choosing a store, the cart and signing in: anyone (an anonymous cart has a cookie token)
    ("GET", "/shop"): PUBLIC,
    ("GET", "/shop/stores"): PUBLIC,
    ("POST", "/shop/store"): PUBLIC,
    ("GET", "/shop/products"): PUBLIC,
    ("GET", "/shop/products/{product_id}"): PUBLIC,
    ("GET", "/shop/cart"): PUBLIC,
    ("POST", "/shop/cart/add"): PUBLIC,
    ("POST", "/shop/cart/update"): PUBLIC,
    ("POST", "/shop/cart/remove"): PUBLIC,
    ("POST", "/shop/cart/replace"): PUBLIC,
    ("GET", "/shop/signin"): PUBLIC,
    ("POST", "/shop/signin"): PUBLIC,
    ("GET", "/shop/signin/code"): PUBLIC,
    ("POST", "/shop/signin/code"): PUBLIC,
    ("POST", "/shop/signout"): SIGNED_IN,
    # checkout, paying and orders: the signed-in customer, their own orders only (others' answer 404)
    ("GET", "/shop/addresses"): CUSTOMER,
    ("GET", "/shop/addresses/new"): CUSTOMER,
    ("POST", "/shop/addresses"): CUSTOMER,
    ("GET", "/shop/checkout"): CUSTOMER,
    ("POST", "/shop/checkout"): CUSTOMER,
    ("GET", "/shop/orders"): CUSTOMER,
    ("GET", "/shop/favorites"): CUSTOMER,
    ("POST", "/shop/favorites"): CUSTOMER,
    ("GET", "/shop/member/code"): CUSTOMER,
    ("GET", "/shop/orders/{number}"): CUSTOMER,
    ("GET", "/shop/orders/{number}/pay"): CUSTOMER,
    ("GET", "/shop/member"): CUSTOMER,
    ("POST", "/shop/member/rewards/{reward_id}/redeem"): CUSTOMER,
    # the coupon centre and the wallet (o2o.shop.coupons): the signed-in customer's own coupons only
    # group buying (o2o.shop.groupbuy): anyone looks; a signed-in customer opens or joins
    ("GET", "/shop/groupbuy"): PUBLIC,
    ("GET", "/shop/groupbuy/{deal_id}"): PUBLIC,
    ("GET", "/shop/groupbuy/groups/{group_id}"): PUBLIC,
    ("POST", "/shop/groupbuy/{deal_id}/open"): CUSTOMER,
    ("POST", "/shop/groupbuy/groups/{group_id}/join"): CUSTOMER,
    ("GET", "/shop/coupons"): CUSTOMER,
    ("POST", "/shop/coupons/{template_id}/claim"): CUSTOMER,
    ("GET", "/shop/coupons/mine"): CUSTOMER,
    ("GET", "/shop/coupons/mine/{coupon_id}"): CUSTOMER,
    ("POST", "/shop/orders/{number}/pay"): CUSTOMER,
    ("GET", "/shop/orders/{number}/cancel"): CUSTOMER,
    ("POST", "/shop/orders/{number}/cancel"): CUSTOMER,
    ("POST", "/shop/orders/{number}/pay/check"): CUSTOMER,
    # after-sales (o2o.shop.returns): 申请退款/退货 on the customer's own order, withdrawing a request
    ("GET", "/shop/orders/{number}/return"): CUSTOMER,
    ("POST", "/shop/orders/{number}/return"): CUSTOMER,
    ("POST", "/shop/returns/{return_id}/cancel"): CUSTOMER,
    ("GET", "/admin/payments/reconcile"): staff("payments:reconcile"),
    ("POST", "/admin/payments/reconcile"): staff("payments:reconcile"),
    # --- end storefront pages ---
    # --- store console pages (o2o.console) ---
    ("GET", "/console"): staff("fulfillment:read"),
    ("GET", "/console/{location_id}"): staff("fulfillment:read"),
    ("GET", "/console/{location_id}/board"): staff("fulfillment:read"),
    ("POST", "/console/{location_id}/fulfillments/{fulfillment_id}/picking"): staff("fulfillment:write"),
    ("POST", "/console/{location_id}/fulfillments/{fulfillment_id}/ready"): staff("fulfillment:write"),
    ("POST", "/console/{location_id}/fulfillments/{fulfillment_id}/ship"): staff("fulfillment:ship"),
    ("POST", "/console/{location_id}/couriers/{delivery_id}/tip"): staff("fulfillment:write"),  # issue 13
    ("POST", "/console/{location_id}/fulfillments/{fulfillment_id}/reissue-code"): staff("fulfillment:reissue"),
    ("GET", "/console/{location_id}/handover"): staff("fulfillment:write"),
    ("POST", "/console/{location_id}/handover"): staff("fulfillment:write"),
    ("GET", "/console/{location_id}/members"): staff("customers:read"),
    ("POST", "/console/{location_id}/members"): staff("customers:read"),
    ("GET", "/console/{location_id}/members/{customer_id}"): staff("customers:read"),
    # redeem a coupon (核销) at the store: the till's action, as the API's (o2o.console.coupons)
    ("GET", "/console/{location_id}/coupons"): staff("pos:write"),
    ("POST", "/console/{location_id}/coupons"): staff("pos:write"),
    ("POST", "/console/{location_id}/coupons/redeem"): staff("pos:write"),
    # POS-lite: ring up a sale in the browser (o2o.console.pos)
    ("GET", "/console/{location_id}/pos"): staff("pos:write"),
    ("POST", "/console/{location_id}/pos/add"): staff("pos:write"),
    ("POST", "/console/{location_id}/pos/qty"): staff("pos:write"),
    ("POST", "/console/{location_id}/pos/member"): staff("pos:write"),
    ("POST", "/console/{location_id}/pos/coupon"): staff("pos:write"),
    ("POST", "/console/{location_id}/pos/finish"): staff("pos:write"),
    ("POST", "/console/{location_id}/pos/clear"): staff("pos:write"),
    # the till: open with a float, cash in/out, close with the count, the Z-report (o2o.console.till)
    ("GET", "/console/{location_id}/till"): staff("till:operate"),
    ("POST", "/console/{location_id}/till/open"): staff("till:operate"),
    ("GET", "/console/{location_id}/till/sessions/{session_id}"): staff("till:operate"),
    ("POST", "/console/{location_id}/till/sessions/{session_id}/move"): staff("till:operate"),
    ("POST", "/console/{location_id}/till/sessions/{session_id}/close"): staff("till:operate"),
    ("GET", "/console/{location_id}/till/report"): staff("till:report"),
    ("GET", "/console/{location_id}/stock"): staff("inventory:read"),
    ("POST", "/console/{location_id}/stock/movements"): staff("inventory:write"),
    ("POST", "/console/{location_id}/stock/counts"): staff("inventory:write"),
    ("GET", "/console/{location_id}/transfers"): staff("inventory:read"),
    ("POST", "/console/{location_id}/transfers"): staff("inventory:write"),
    ("POST", "/console/{location_id}/transfers/{request_id}/send"): staff("inventory:transfer"),
    ("POST", "/console/{location_id}/transfers/{request_id}/reject"): staff("inventory:transfer"),
    ("POST", "/console/{location_id}/transfers/{request_id}/receive"): staff("inventory:write"),
    ("GET", "/console/{location_id}/events"): staff("fulfillment:read"),
    ("GET", "/console/{location_id}/fulfillments/{fulfillment_id}"): staff("fulfillment:read"),
    ("POST", "/console/{location_id}/fulfillments/{fulfillment_id}/lines/{sku_id}/tick"): staff("fulfillment:write"),
    ("POST", "/console/{location_id}/fulfillments/{fulfillment_id}/lines/{sku_id}/short"): staff("fulfillment:write"),
    ("POST", "/console/{location_id}/fulfillments/{fulfillment_id}/reject"): staff("fulfillment:write"),
    ("POST", "/console/{location_id}/fulfillments/{fulfillment_id}/accept-partial"): staff("orders:write"),
    ("POST", "/console/{location_id}/fulfillments/{fulfillment_id}/cancel-short"): staff("orders:write"),
    # the returns desk (o2o.console.returns): find, take a return at the desk, receive, inspect, refund
    ("GET", "/console/{location_id}/returns"): staff("pos:write"),
    ("POST", "/console/{location_id}/returns"): staff("pos:write"),
    ("GET", "/console/{location_id}/returns/{return_id}"): staff("pos:write"),
    ("POST", "/console/{location_id}/returns/{return_id}/receive"): staff("pos:write"),
    ("POST", "/console/{location_id}/returns/{return_id}/refund"): staff("pos:write"),
    ("POST", "/console/{location_id}/returns/{return_id}/pickup"): staff("pos:write"),
    # --- end store console pages ---
    # --- back-office pages (o2o.backoffice) ---
    # head office only: on top of these actions, a store-bound caller is sent to its console (see
    # o2o.backoffice.common.head_office); stores need locations:write, the action that manages them
    ("GET", "/admin"): staff("analytics:read"),
    ("GET", "/admin/loyalty"): staff("loyalty:manage"),
    ("POST", "/admin/loyalty"): staff("loyalty:manage"),
    ("POST", "/admin/loyalty/rewards"): staff("loyalty:manage"),
    ("POST", "/admin/loyalty/points"): staff("loyalty:manage"),
    # campaigns: promotions and coupon templates, issue, results (o2o.backoffice.campaigns)
    ("GET", "/admin/campaigns"): staff("promotions:manage"),
    ("GET", "/admin/campaigns/new"): staff("promotions:manage"),
    ("POST", "/admin/campaigns"): staff("promotions:manage"),
    ("GET", "/admin/campaigns/{kind}/{item_id}"): staff("promotions:manage"),
    ("POST", "/admin/campaigns/{kind}/{item_id}"): staff("promotions:manage"),
    ("POST", "/admin/campaigns/coupon/{item_id}/issue"): staff("promotions:manage"),
    ("GET", "/admin/campaigns/{kind}/{item_id}/results"): staff("promotions:manage"),
    ("GET", "/admin/tills"): staff("till:report"),  # till cash differences (o2o.backoffice.tills)
    ("GET", "/admin/products"): staff("catalog:write"),
    ("GET", "/admin/products/new"): staff("catalog:write"),
    ("POST", "/admin/products"): staff("catalog:write"),
    ("GET", "/admin/products/{product_id}"): staff("catalog:write"),
    ("POST", "/admin/products/{product_id}"): staff("catalog:write"),
    ("POST", "/admin/products/{product_id}/skus"): staff("catalog:write"),
    ("POST", "/admin/products/{product_id}/skus/{sku_id}"): staff("catalog:write"),
    ("POST", "/admin/products/{product_id}/images"): staff("catalog:write"),
    ("POST", "/admin/products/{product_id}/images/{image_id}/main"): staff("catalog:write"),
    ("POST", "/admin/products/{product_id}/images/{image_id}/delete"): staff("catalog:write"),
    ("POST", "/admin/products/{product_id}/stock"): staff("inventory:write"),
    ("GET", "/admin/stores"): staff("locations:write"),
    ("GET", "/admin/stores/new"): staff("locations:write"),
    ("POST", "/admin/stores"): staff("locations:write"),
    ("GET", "/admin/stores/{location_id}"): staff("locations:write"),
    ("POST", "/admin/stores/{location_id}"): staff("locations:write"),
    ("GET", "/admin/stock"): staff("inventory:read"),
    ("GET", "/admin/stock.csv"): staff("inventory:read"),
    # transfers (o2o.backoffice.transfers): list, batch planner and progress, discrepancy queue
    ("GET", "/admin/transfers"): staff("inventory:read"),
    ("GET", "/admin/transfers/plan"): staff("inventory:transfer"),
    ("POST", "/admin/transfers/plan"): staff("inventory:transfer"),
    ("POST", "/admin/transfers/batches"): staff("inventory:transfer"),
    ("GET", "/admin/transfers/batches/{batch_id}"): staff("inventory:read"),
    ("POST", "/admin/transfers/batches/{batch_id}/send"): staff("inventory:transfer"),
    ("GET", "/admin/transfers/discrepancies"): staff("inventory:read"),
    ("POST", "/admin/transfers/discrepancies/{discrepancy_id}/investigate"): staff("inventory:transfer"),
    ("POST", "/admin/transfers/discrepancies/{discrepancy_id}/resolve"): staff("inventory:transfer"),
    ("GET", "/admin/orders"): staff("orders:read"),
    ("GET", "/admin/members"): staff("customers:read"),
    ("GET", "/admin/members.csv"): staff("customers:read"),
    ("GET", "/admin/members/{customer_id}"): staff("customers:read"),
    ("POST", "/admin/members/{customer_id}/merge"): staff("customers:merge"),
    ("GET", "/admin/orders/{number}"): staff("orders:read"),
    ("POST", "/admin/orders/{number}/cancel"): staff("orders:write"),
    ("POST", "/admin/orders/{number}/reassign"): staff("orders:write"),
    ("POST", "/admin/orders/{number}/reissue"): staff("fulfillment:reissue"),
    # the refund queue (o2o.backoffice.returns): approve or refuse with a reason, refund, time to refund per store
    ("GET", "/admin/returns"): staff("orders:read"),
    ("GET", "/admin/sourcing/rules"): staff("sourcing:manage"),
    ("GET", "/admin/fulfilment/at-risk"): staff("fulfillment:read"),  # SLA (issue 13)
    ("POST", "/admin/sourcing/rules"): staff("sourcing:manage"),
    ("POST", "/admin/sourcing/rules/{rule_id}/toggle"): staff("sourcing:manage"),
    ("POST", "/admin/sourcing/rules/{rule_id}/move"): staff("sourcing:manage"),
    ("GET", "/admin/orders/{number}/sourcing"): staff("orders:read"),
    ("POST", "/admin/returns/{return_id}/approve"): staff("orders:write"),
    ("POST", "/admin/returns/{return_id}/refuse"): staff("orders:write"),
    ("POST", "/admin/returns/{return_id}/refund"): staff("orders:write"),
    ("GET", "/admin/users"): staff("staff:read"),
    ("POST", "/admin/users"): staff("staff:manage"),
    ("POST", "/admin/users/{user_id}/disable"): staff("staff:manage"),
    ("POST", "/admin/users/{user_id}/enable"): staff("staff:manage"),
    ("POST", "/admin/users/{user_id}/reset"): staff("staff:manage"),
    # --- end back-office pages ---
}


def decide(rule: Rule, kind: str | None, actions: frozenset[str]) -> int:
    """200 (go on; scope is checked later), 401 (sign in first) or 403 (not for this caller)."""
    if rule.public:
        return 200
    if kind is None:
        return 401
    if kind == "customer":
        return 200 if rule.customer else 403
    if rule.any_user and kind == "staff":
        return 200
    return 200 if rule.action is not None and rule.action in actions else 403
