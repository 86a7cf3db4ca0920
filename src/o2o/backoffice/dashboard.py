"""GET /admin: the dashboard (analytics:read): GMV by channel per day, orders by fulfilment mode,
pickup readiness time, top stores. Charts are SVG drawn on the server, each with a table."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from babel.dates import format_skeleton
from babel.numbers import format_compact_decimal
from fastapi import Request
from fastapi.responses import HTMLResponse

from o2o.analytics import service as analytics
from o2o.backoffice import charts
from o2o.backoffice.common import TEXTS as COMMON_TEXTS
from o2o.backoffice.common import location_names, page, query_int, router, yuan
from o2o.deps import ContainerDep
from o2o.kernel.catalogs import catalog_texts
from o2o.locations import service as locations
from o2o.web.templating import Texts, Translator, locale_of

PERIODS = (7, 30, 90)
READY_CLASSES = ("s2", "s0", "s6", "s1", "s5")  # quick (green) to slow (red)

TEXTS: Texts = catalog_texts("backoffice.dashboard")


def _cldr(locale: str) -> str:
    """The page's language tag as Babel (CLDR) names it: zh-TW -> zh_TW (read as zh_Hant_TW)."""
    return locale.replace("-", "_")


def compact_yuan(fen: float, locale: str) -> str:
    """Axis labels: ¥12k / ¥1.2M in English; in Chinese as CLDR abbreviates: ¥1.2万 / ¥1.2亿 (zh-CN),
    ¥1.2萬 / ¥1.2億 (zh-TW)."""
    y = fen / 100
    if locale.startswith("zh"):
        if y >= 10_000:
            return "¥" + format_compact_decimal(y, locale=_cldr(locale), fraction_digits=2)
        return f"¥{y:,.0f}"
    if y >= 1_000_000:
        return f"¥{y / 1_000_000:,.4g}M"
    if y >= 1_000:
        return f"¥{y / 1_000:,.4g}k"
    return f"¥{y:,.0f}"


def _minutes(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


@lru_cache(maxsize=4096)  # a page labels each day several times (bars, tooltips, tables)
def _day(d: date, locale: str) -> str:
    """A day as the language writes a month and day (CLDR skeleton MMMd): Nov 24, 11月24日."""
    return format_skeleton("MMMd", d, locale=_cldr(locale))


@router.get("/admin", response_class=HTMLResponse)
def dashboard(request: Request, c: ContainerDep) -> HTMLResponse:
    locale = locale_of(request)
    t = Translator(locale, [TEXTS, COMMON_TEXTS])
    days = query_int(request.query_params.get("days"), 30)
    days = days if days in PERIODS else 30
    stores = locations.list_all(c.db, "store")
    d = analytics.dashboard(c.db, c.clock.now(), days, top_among=[s.id for s in stores])
    names = location_names(stores, locale)
    classes = {ch: f"s{i % 8}" for i, ch in enumerate(analytics.CHANNELS)}
    classes |= {ch: f"s{i % 8}" for i, ch in enumerate(d.channels) if ch not in classes}

    def gmv_title(day: date, ch: str, v: int) -> str:
        return f"{_day(day, locale)} · {t('channel.' + ch)}: {yuan(v)}"

    gmv_charts = [charts.stacked_bars(d.days, d.gmv_by_channel, lambda v: compact_yuan(v, locale), gmv_title,
                                      classes, frame) for frame in charts.FRAMES]
    best = max(range(len(d.days)), key=lambda i: d.gmv_by_day[i]) if d.gmv_fen else None

    bucket_labels = [t("ready.bucket.range", low=lo, high=hi) if hi else t("ready.bucket.over", low=lo)
                     for lo, hi, _ in d.readiness_buckets]
    per_day = [sum(col) for col in zip(*d.readiness_by_bucket, strict=True)]
    shares = {str(i): [100 * n / per_day[j] if per_day[j] else 0 for j, n in enumerate(row)]
              for i, row in enumerate(d.readiness_by_bucket)}

    def ready_title(day: date, key: str, pct: float) -> str:
        n = d.readiness_by_bucket[int(key)][d.days.index(day)]
        return f"{_day(day, locale)} · {bucket_labels[int(key)]}: {n} ({pct:.0f}%)"

    bucket_classes = {str(i): cls for i, cls in enumerate(READY_CLASSES)}
    ready_charts = [charts.stacked_bars(d.days, shares, lambda v: f"{v:g}%", ready_title, bucket_classes, frame,
                                        top=100) for frame in charts.FRAMES]
    store_rows = charts.shares([(str(s.location_id), s.gmv_fen) for s in d.top_stores])
    for row, s in zip(store_rows, d.top_stores, strict=True):
        row |= {"name": names.get(s.location_id, f"#{s.location_id}"), "orders": s.orders}
    context = {
        "d": d, "days": days, "periods": PERIODS, "classes": classes,
        "gmv_charts": gmv_charts, "ready_charts": ready_charts, "mode_rows": charts.shares(list(d.modes.items())),
        "store_rows": store_rows, "bucket_legend": list(zip(READY_CLASSES, bucket_labels, strict=True)),
        "buckets": charts.shares([(label, n) for label, (_, _, n) in zip(bucket_labels, d.readiness_buckets,
                                                                          strict=True)]),
        "best_day": _day(d.days[best], locale) if best is not None else "",
        "best": yuan(d.gmv_by_day[best]) if best is not None else "",
        "day_label": lambda day: _day(day, locale), "minutes": _minutes,
    }
    return page(request, "backoffice/dashboard.html", context, [TEXTS])
