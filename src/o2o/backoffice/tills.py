"""GET /admin/tills (till:report): the till cash differences of every store (o2o.pos.tills.report) between two
days, with a chart of the daily cash difference per store (the stores with the largest differences; every
store in the table under it), and the differences per store, per tender and per clerk."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from fastapi import Request
from fastapi.responses import HTMLResponse

from o2o.backoffice import charts
from o2o.backoffice.common import location_names, page, query_int, router, yuan
from o2o.backoffice.till_texts import TEXTS
from o2o.deps import ContainerDep, PrincipalDep
from o2o.kernel.clock import SHANGHAI
from o2o.kernel.errors import InvalidInput
from o2o.locations import service as locations
from o2o.pos import tills
from o2o.pos.till_schemas import ReportOut
from o2o.web.templating import Translator, locale_of

CHART_STORES = 6


def signed_yuan(fen: float) -> str:
    return ("+" if fen > 0 else "") + yuan(int(fen))


def signed_lines(days: Sequence[date], series: dict[str, list[int]], title: dict[str, str],
                 classes: dict[str, str], point: Translator, frame: charts.Frame) -> charts.Chart:
    """A line per store over the days, on an axis around 0 (shorts below, overs above)."""
    values = [abs(v) for vs in series.values() for v in vs] or [0]
    top, step = charts.nice_max(max(values), 2)
    chart = charts.Chart(frame)
    mid = frame.top + frame.plot_h / 2

    def y_of(v: float) -> float:
        return round(mid - (frame.plot_h / 2) * v / top, 1)

    chart.y_ticks = [(y_of(k * step), signed_yuan(k * step)) for k in range(-2, 3)]
    slot = frame.plot_w / max(1, len(days))
    for name, vs in series.items():
        pts = []
        for i, v in enumerate(vs):
            x = round(frame.left + slot * (i + 0.5), 1)
            pts.append(f"{x},{y_of(v)}")
            if v:
                chart.dots.append({"cx": x, "cy": y_of(v), "cls": classes[name],
                                   "title": point("tills.chart.point", store=title[name], day=f"{days[i]:%m-%d}",
                                                  value=signed_yuan(v))})
        if len(pts) > 1:
            chart.lines.append({"points": " ".join(pts), "cls": classes[name]})
    chart.x_ticks = charts._x_ticks(frame, days, slot)
    return chart


def _day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat((raw or "").strip()[:10])
    except ValueError:
        return None


@router.get("/admin/tills", response_class=HTMLResponse)
def tills_page(request: Request, c: ContainerDep, p: PrincipalDep) -> HTMLResponse:
    q = request.query_params
    today = c.clock.now().astimezone(SHANGHAI).date()
    start, end = _day(q.get("from")) or today - timedelta(days=13), _day(q.get("to")) or today
    store = query_int(q.get("store"))
    error, status = "", 200
    try:
        report: ReportOut = tills.report(c.db, p, start, end, store)
    except InvalidInput:
        error, status = "tills.bad_dates", 422
        start, end = today - timedelta(days=13), today
        report = tills.report(c.db, p, start, end, store)
    locale = locale_of(request)
    stores = [s for s in locations.list_all(c.db, "store")]
    names = location_names(stores, locale)
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    totals: dict[int, int] = {}
    for d in report.daily:
        totals[d.location_id] = totals.get(d.location_id, 0) + abs(d.cash_difference_fen)
    shown = sorted(totals, key=lambda loc: (-totals[loc], loc))[:CHART_STORES]
    series = {str(loc): [0] * len(days) for loc in shown}
    for d in report.daily:
        if str(d.location_id) in series:
            series[str(d.location_id)][(d.day - start).days] += d.cash_difference_fen
    classes = {str(loc): f"s{i}" for i, loc in enumerate(shown)}
    title = {str(loc): names.get(loc, f"#{loc}") for loc in shown}
    point = Translator(locale, [TEXTS])
    chart_list = [signed_lines(days, series, title, classes, point, frame) for frame in charts.FRAMES] if shown else []
    cash_total = sum(d.cash_difference_fen for d in report.daily)
    ctx = {"report": report, "start": start, "end": end, "store": store, "stores": stores, "names": names,
           "days": days, "series": series, "legend": [(classes[k], title[k]) for k in series],
           "charts": chart_list, "cash_total": cash_total, "signed": lambda fen: signed_yuan(fen),
           "date_error": error}
    return page(request, "backoffice/tills.html", ctx, [TEXTS], status)
