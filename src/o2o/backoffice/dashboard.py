"""GET /admin: the dashboard (analytics:read): GMV by channel per day, orders by fulfilment mode,
pickup readiness time, top stores. Charts are SVG drawn on the server, each with a table."""

from __future__ import annotations

from datetime import date

from fastapi import Request
from fastapi.responses import HTMLResponse

from o2o.analytics import service as analytics
from o2o.backoffice import charts
from o2o.backoffice.common import TEXTS as COMMON_TEXTS
from o2o.backoffice.common import location_names, page, query_int, router, yuan
from o2o.deps import ContainerDep
from o2o.locations import service as locations
from o2o.web.templating import Texts, Translator, locale_of

PERIODS = (7, 30, 90)
READY_CLASSES = ("s2", "s0", "s6", "s1", "s5")  # quick (green) to slow (red)

TEXTS: Texts = {
    "en": {
        "dash.title": "Dashboard",
        "dash.lead": "Sales and service of the whole chain over the last {days} days, in Shanghai time. GMV counts "
                     "orders paid in the period, without those cancelled (refunded) since.",
        "dash.period": "Period",
        "dash.days": "Last {days} days",
        "dash.show": "Show",
        "dash.kpis": "Key figures",
        "kpi.gmv": "GMV",
        "kpi.orders": "Paid orders",
        "kpi.average": "Average order",
        "kpi.ready": "Pickup ready in (median)",
        "kpi.minutes": "{n} min",
        "kpi.none": "no pickups",
        "gmv.title": "GMV by channel per day",
        "gmv.summary": "GMV of {total} over {days} days; the best day was {best_day} with {best}.",
        "gmv.empty": "No paid orders in this period.",
        "gmv.day": "Day",
        "gmv.total": "Total",
        "gmv.legend": "Channels",
        "modes.title": "Online orders by fulfilment mode",
        "modes.summary": "{total} online orders paid in the period (till sales are not counted).",
        "modes.mode": "Mode",
        "modes.orders": "Orders",
        "modes.share": "Share",
        "ready.title": "Pickup readiness time (paid to ready)",
        "ready.summary": "{n} pickup orders got ready; median {median} minutes, 90th percentile {p90} minutes. "
                         "Each bar: how the day's pickups split by the time they took.",
        "ready.legend": "Time from payment to ready",
        "ready.empty": "No pickup order got ready in this period.",
        "ready.median": "Median",
        "ready.p90": "90th percentile",
        "ready.orders": "Orders",
        "ready.day": "Day (paid)",
        "ready.minutes_axis": "minutes",
        "ready.spread": "How long pickups took",
        "ready.bucket": "Time to ready",
        "ready.bucket.range": "{low} to {high} min",
        "ready.bucket.over": "{low} min or more",
        "top.title": "Top stores by GMV",
        "top.summary": "The {n} stores that sold the most in the period, till sales included.",
        "top.store": "Store",
        "top.gmv": "GMV",
        "top.orders": "Orders",
        "top.empty": "No store sold anything in this period.",
    },
    "zh-CN": {
        "dash.title": "数据看板",
        "dash.lead": "全链最近 {days} 天的销售与服务（上海时间）。GMV 统计期内已支付的订单，不含之后取消（已退款）的订单。",
        "dash.period": "统计周期",
        "dash.days": "最近 {days} 天",
        "dash.show": "查看",
        "dash.kpis": "关键指标",
        "kpi.gmv": "GMV",
        "kpi.orders": "已支付订单",
        "kpi.average": "客单价",
        "kpi.ready": "自提备货时长（中位数）",
        "kpi.minutes": "{n} 分钟",
        "kpi.none": "无自提订单",
        "gmv.title": "各渠道每日 GMV",
        "gmv.summary": "{days} 天 GMV 共 {total}；最高的一天是 {best_day}，{best}。",
        "gmv.empty": "这段时间没有已支付的订单。",
        "gmv.day": "日期",
        "gmv.total": "合计",
        "gmv.legend": "渠道",
        "modes.title": "线上订单履约方式",
        "modes.summary": "期内已支付的线上订单共 {total} 单（不含门店收银）。",
        "modes.mode": "履约方式",
        "modes.orders": "订单数",
        "modes.share": "占比",
        "ready.title": "自提备货时长（支付到备好）",
        "ready.summary": "{n} 单自提订单已备好；中位数 {median} 分钟，90 分位 {p90} 分钟。每根柱子表示当天自提订单按备货时长的分布。",
        "ready.legend": "从支付到备好的时长",
        "ready.empty": "这段时间没有备好的自提订单。",
        "ready.median": "中位数",
        "ready.p90": "90 分位",
        "ready.orders": "订单数",
        "ready.day": "日期（支付）",
        "ready.minutes_axis": "分钟",
        "ready.spread": "备货时长分布",
        "ready.bucket": "备货时长",
        "ready.bucket.range": "{low} 到 {high} 分钟",
        "ready.bucket.over": "{low} 分钟及以上",
        "top.title": "GMV 最高的门店",
        "top.summary": "期内销售额最高的 {n} 家门店，含门店收银。",
        "top.store": "门店",
        "top.gmv": "GMV",
        "top.orders": "订单数",
        "top.empty": "这段时间没有门店产生销售。",
    },
}


def compact_yuan(fen: float, locale: str) -> str:
    """Axis labels: ¥12k / ¥1.2M in English, ¥1.2万 / ¥120万 in Chinese."""
    y = fen / 100
    if locale == "zh-CN":
        if y >= 10_000:
            return f"¥{y / 10_000:,.4g}万"
        return f"¥{y:,.0f}"
    if y >= 1_000_000:
        return f"¥{y / 1_000_000:,.4g}M"
    if y >= 1_000:
        return f"¥{y / 1_000:,.4g}k"
    return f"¥{y:,.0f}"


def _minutes(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def _day(d: date, locale: str) -> str:
    return f"{d.month}月{d.day}日" if locale == "zh-CN" else f"{d:%b} {d.day}"


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
