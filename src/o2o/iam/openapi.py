"""What the guard (o2o.iam.guard.authorize) may answer on a route, for the OpenAPI document."""

from __future__ import annotations

from o2o.iam.guard import SAFE
from o2o.iam.permissions import ROUTES


def refusals(method: str, path: str) -> dict[int, str]:
    """{status: description} of the guard's refusals on this route (o2o.kernel.openapi documents them)."""
    rule = ROUTES.get((method, path))
    out = {401: "sign-in required, or the token or key is unknown, expired or revoked",
           429: "too many requests (an API key's rate per minute, sign-ins per address, a locked-out phone "
                "or login): wait Retry-After seconds"}
    if rule is None:
        return out
    if not rule.public or method not in SAFE:
        why = []
        if rule.action:
            why.append(f"needs `{rule.action}`" + (" (or a customer, for their own)" if rule.customer else ""))
        elif not rule.public:
            why.append("signed-in users only, not API keys" if rule.any_user else "customers only")
        if method not in SAFE:
            why.append("a cookie session's write needs the CSRF token")
        out[403] = "; ".join(why)
    if rule.dev_only:
        out[404] = "exists only in development (O2O_ENV=dev)"
    return out
