"""Review: the geocoder is a paid web service (AMap) behind /api/v1/geo/* and the address page's
`?q=`; one signed-in shopper (or a script with their session) could spend the whole quota, and then
every shopper's address entry failed. Each customer now has a budget per minute (429 past it)."""

from __future__ import annotations

from limits import RateLimitItemPerMinute

from o2o.customers import routes as customer_routes
from tests.factories.chain import build_chain
from tests.integration.loyalty.flow import member


def test_one_shopper_cannot_spend_the_geocoders_quota(client, container, auth, monkeypatch):
    monkeypatch.setattr(customer_routes, "GEO_PER_CUSTOMER_MINUTE", RateLimitItemPerMinute(5), raising=False)
    chain = build_chain(container)
    me, other = auth.customer(chain.customer), auth.customer(member(container, 7))
    asked = [client.get("/api/v1/geo/suggest", params={"q": "徐家汇"}, headers=me).status_code for _ in range(3)]
    asked += [client.get("/api/v1/geo/reverse", params={"lat": 31.19, "lng": 121.43}, headers=me).status_code
              for _ in range(2)]
    assert all(code in (200, 404) for code in asked), asked
    r = client.get("/api/v1/geo/suggest", params={"q": "徐家汇"}, headers=me)
    assert r.status_code == 429 and r.headers.get("retry-after")
    r = client.get("/shop/addresses/new", params={"q": "徐家汇"}, headers=me)  # the page's search too
    assert r.status_code == 429
    assert client.get("/api/v1/geo/suggest", params={"q": "徐家汇"}, headers=other).status_code == 200
