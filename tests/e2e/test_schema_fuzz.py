"""The API keeps the promises of its own OpenAPI document (schemathesis, every check it has).

Every operation of /openapi.json is called with generated data, valid and invalid, anonymously
and as a platform admin, on SQLite and on PostgreSQL: never a 5xx, never a status, content type,
header or body the document does not declare, invalid data refused, valid data accepted. A fixed
seed and derandomized generation make a run repeatable; examples per operation are few, to keep
the four runs within a minute or two.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from o2o import bootstrap
from o2o.config import Settings
from o2o.kernel.clock import FixedClock
from o2o.kernel.db import Database
from o2o.main import create_app
from tests.conftest import new_database_url
from tests.factories.auth import Auth
from tests.factories.chain import build_chain
from tests.factories.pos import add_till

# Valid data is refused (422) only where a rule is about data or about two fields at once, which the
# JSON Schema cannot say (the document states these rules in words): a record the body names must
# exist and be of the right kind, a transfer's two locations must differ, a password needs 4
# different characters. Everywhere else a schema-valid request must not get 400/422.
DATA_RULES = [
    "/api/v1/orders",  # the customer, address, store and SKUs must exist; one of address/address_id/store per mode
    "/api/v1/quotes",  # the same rules as placing the order (POST /api/v1/orders)
    "/api/v1/products",  # the category and supplier must exist
    "/api/v1/skus/{sku_id}/store-prices",  # the location must exist
    "/api/v1/stock/movements",  # the location and the SKU must exist
    "/api/v1/stock/transfers",  # from and to differ; both exist
    "/api/v1/stock/transfer-requests",  # from and to differ; both exist
    "/api/v1/stock/transfer-requests/{request_id}/receive",  # good and damaged at most twice what was sent
    "/api/v1/stock/transfer-batches",  # each line's from and to differ; the locations and SKUs exist
    "/api/v1/staff",  # store_id must be a store, supplier_id an existing supplier
    "/api/v1/api-keys",  # store_id must be an existing store
    "/api/v1/me/password",  # 4 different characters
    "/api/v1/auth/invite/accept",  # 4 different characters
    "/api/v1/loyalty/rules",  # each of the four tiers once; a higher tier not easier to reach than a lower one
    "/api/v1/loyalty/rules/preview",  # the same rules as saving them
    "/api/v1/pos/points/redeem",  # the customer must exist; the bill's share payable in points must hold a point
    "/api/v1/promotions",  # each kind's own parameters (threshold: min >= off > 0, ...); ends after starts
    "/api/v1/promotions/{promotion_id}",  # the same rules as creating one
    "/api/v1/coupon-templates",  # each kind's parameters; windows in order; a fixed validity or days; store_id a store
    "/api/v1/coupon-templates/{template_id}",  # the same rules as creating one
    "/api/v1/coupon-templates/{template_id}/issue",  # customer_ids or a segment (a tier or a store), not both
    "/api/v1/coupons/claim",  # lat and lng together
    "/api/v1/groupbuy/admin/deals",  # ends after starts; the SKUs and stores exist; the bundle costs a fen or more
    "/api/v1/groupbuy/admin/deals/{deal_id}",  # the same rules as creating one; the cap not below what is taken
    "/api/v1/pos/terminals",  # location_id must be a store; a till code once per store
    "/api/v1/pos/quotes",  # the items (barcodes, SKUs), the member and the coupons must exist
    "/api/v1/pos/sales",  # as a quote; the tenders add up to what is due
    "/api/v1/pos/till-sessions/{session_id}/cash-moves",  # the till is open: an Idempotency-Key sent before with another body
    "/api/v1/pos/till-reports",  # days from 2000 to 2100, date_to on or after date_from, at most 92 days apart
    "/api/v1/sourcing/rule-order",  # every rule id exactly once
    "/api/v1/sourcing/preview",  # at most 10000 units of a SKU over its lines
]
VALID_OK = ["2xx", "3xx", "401", "403", "404", "409", "429"]  # schemathesis' default but 5xx
CONFIG = {
    "seed": 20261124,
    "generation": {"max-examples": 6, "deterministic": True},
    "phases": {"stateful": {"enabled": False}},
    "checks": {"positive_data_acceptance": {"expected-statuses": VALID_OK}},
    "operations": [{"include-path": path, "checks": {"positive_data_acceptance": {
        "expected-statuses": [*VALID_OK, "422"]}}} for path in DATA_RULES],
}
# these end the caller's sessions: each such case gets a fresh session of a second admin of its own
ENDS_SESSIONS = {"/api/v1/auth/logout", "/api/v1/auth/logout-all"}


def _document() -> dict:
    """The app's OpenAPI document (it depends on no database: a throw-away container is enough)."""
    with tempfile.TemporaryDirectory() as tmp:
        return create_app(bootstrap.build(Settings(database_url=f"sqlite:///{tmp}/doc.db"))).openapi()


schema = schemathesis.openapi.from_dict(_document(), config=schemathesis.Config.from_dict(CONFIG))


@pytest.fixture(scope="module")
def fuzzed(request, db_kind):  # type: ignore[no-untyped-def]
    """One app and database per module and database kind (every operation's test shares them)."""
    db = Database.from_url(new_database_url(request, db_kind), pool_size=10, pool_timeout=30)
    settings_ = Settings(database_url=db.url, payment_secret="test-secret", cheap_password_hashing=True,
                         media_dir=request.getfixturevalue("_tmp_root") / f"media-{db_kind}")
    container = bootstrap.build(settings_, db=db, clock=FixedClock(datetime(2026, 11, 24, 2, 0, tzinfo=UTC)))
    chain = build_chain(container)
    till_key = add_till(container, chain.stores["xujiahui"], "T01", open_till=True)[1]  # the till API's 2nd credential
    yield container, create_app(container), till_key
    db.dispose()


@pytest.fixture(params=["anonymous", "admin"])
def caller(request, fuzzed):  # type: ignore[no-untyped-def]
    if request.param == "anonymous":
        return lambda case: {}
    auth = Auth(fuzzed[0])
    admin, other = auth.staff("platform_admin"), auth.staff_user("platform_admin")
    till = {**admin, "X-Api-Key": fuzzed[2]}
    return lambda case: (auth.session("staff", other) if case.path in ENDS_SESSIONS
                         else till if case.path.startswith("/api/v1/pos/") else admin)


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_keeps_the_promises_of_the_openapi_document(case, fuzzed, caller):
    # 30 s, not schemathesis' 10: one request of thousands waited past 10 s while the full suite ran on 2 cores
    case.call_and_validate(app=fuzzed[1], headers=caller(case), timeout=30)
