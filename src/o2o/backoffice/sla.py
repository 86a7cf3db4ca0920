"""SLA in the back-office (issue 13): GET /admin/fulfilment/at-risk, the live list of fulfilments whose
promise is near or missed (every store or one; minutes left or late, order, mode, status; the page
refreshes its list every 30 s, at_risk.js) and the on-time rate per store over 7 or 30 days (bars with
a table)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from o2o.backoffice import common
from o2o.backoffice.common import location_names, page, query_int, router
from o2o.backoffice.sla_texts import TEXTS
from o2o.deps import ContainerDep
from o2o.fulfillment import service as fulfillment
from o2o.locations import service as locations
from o2o.web.templating import locale_of

for _lang, _texts in TEXTS.items():  # the page's name in the navigation (common.NAV)
    common.TEXTS[_lang].setdefault("nav.at_risk", _texts["nav.at_risk"])  # type: ignore[index]

PATH = "/admin/fulfilment/at-risk"
PERIODS = (7, 30)


@router.get(PATH, response_class=HTMLResponse)
def at_risk_page(request: Request, c: ContainerDep) -> HTMLResponse:
    q = request.query_params
    stores = locations.list_all(c.db)
    names = location_names(stores, locale_of(request))
    store = query_int(q.get("store"))
    store = store if store in names else None
    days = query_int(q.get("days"), 7)
    days = days if days in PERIODS else 7
    now = c.clock.now()
    rows = fulfillment.at_risk(c.db, now, store)
    rates = fulfillment.on_time(c.db, now, days, None if store is None else [store])
    due, kept = sum(r.due for r in rates), sum(r.kept for r in rates)
    bars = [{"key": str(r.location_id), "name": names.get(r.location_id, f"#{r.location_id}"), "due": r.due,
             "kept": r.kept, "pct": round(100 * (r.rate or 0), 1), "pct_of_max": round(100 * (r.rate or 0), 1)}
            for r in sorted(rates, key=lambda r: (r.rate or 0, -r.due))]  # the worst first
    ctx = {"rows": rows, "names": names, "stores": [s for s in stores if s.kind == "store"], "store": store,
           "days": days, "periods": PERIODS, "now": now, "sla": fulfillment.current_sla(), "bars": bars,
           "due": due, "kept": kept, "rate": round(100 * kept / due, 1) if due else 0}
    return page(request, "backoffice/sla_at_risk.html", ctx, [TEXTS])
