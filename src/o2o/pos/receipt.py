"""The printable receipt of a till sale: HTML for an 80 mm roll (print CSS) and PDF (reportlab, with its
built-in CID font STSong-Light so that Chinese prints with no font file and nothing downloaded).

It shows the store, the till, the clerk, the time (the store's zone), the lines with their discounts,
the bill's discount lines as the engine labelled them ("满200减30"), the tenders and the change, the
points earned and the order number."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse

from o2o.kernel.clock import SHANGHAI
from o2o.kernel.db import Database
from o2o.locations import service as locations
from o2o.pos import service
from o2o.pos.receipt_texts import TEXTS
from o2o.pos.schemas import SaleOut
from o2o.web.templating import Translator, render
from o2o.web.vocabulary import line_name

ROLL_MM = 80


@dataclass(frozen=True)
class Line:
    name: str
    quantity: int
    unit_fen: int
    amount_fen: int
    discount_fen: int


@dataclass(frozen=True)
class Receipt:
    locale: str
    sale: SaleOut
    store: str
    till: str
    clerk: str
    time: str
    lines: list[Line]
    discounts: list[tuple[str, int]]  # (label in the reader's language, fen)
    tenders: list[tuple[str, int, int]]  # (kind, amount fen, change fen)
    points: int | None  # earned (None: not credited yet, or no member)


def money(fen: int) -> str:
    return f"¥{fen / 100:.2f}"


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return SHANGHAI


def _at(value: datetime, zone: ZoneInfo) -> str:
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def data_of(db: Database, sale: SaleOut, locale: str) -> Receipt:
    store = locations.get(db, sale.location_id)
    zh = locale.startswith("zh")
    clerk = sale.clerk.split(":", 1)[-1]
    points = service.points_earned(db, sale.customer_id, service.order_id_of(db, sale.id))
    return Receipt(
        locale=locale, sale=sale, store=store.name_zh if zh else store.name_en, till=sale.terminal_code, clerk=clerk,
        time=_at(sale.sold_at, _zone(store.timezone)),
        lines=[Line(line_name(ln, locale), ln.quantity, ln.unit_price_fen, ln.line_total_fen, ln.discount_fen) for ln in sale.lines],
        discounts=[(d.label_zh if zh else d.label_en, d.amount_fen) for d in sale.discounts],
        tenders=[(t.kind, t.amount_fen, t.change_fen) for t in sale.tenders], points=points)


def html(request: Request, r: Receipt) -> HTMLResponse:
    response = render(request, "pos/receipt.html", {"r": r, "money": money, "roll_mm": ROLL_MM},
                      texts=[TEXTS], locale=r.locale)
    response.headers["Cache-Control"] = "no-store"
    return response


def pdf(r: Receipt) -> bytes:
    """The receipt as a PDF one roll wide, as long as it needs."""
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    font = "STSong-Light"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    t = Translator(r.locale, [TEXTS])
    width, margin, size, step = ROLL_MM * mm, 4 * mm, 8.5, 11.0
    rows: list[tuple[str, str, bool]] = [(r.store, "", True), (t("receipt.till") + " " + r.till, r.time, False),
                                         (t("receipt.clerk") + " " + r.clerk, "", False),
                                         (t("receipt.order") + " " + r.sale.order_number, "", False), ("-", "", False)]
    for ln in r.lines:
        rows.append((ln.name, "", False))
        rows.append((f"  {ln.quantity} x {money(ln.unit_fen)}", money(ln.amount_fen), False))
    rows.append(("-", "", False))
    rows.append((t("receipt.subtotal"), money(r.sale.subtotal_fen), False))
    for label, fen in r.discounts:
        rows.append((label, "-" + money(fen), False))
    rows.append((t("receipt.total"), money(r.sale.total_fen), True))
    for kind, fen, change in r.tenders:
        rows.append((t("tender." + kind), money(fen + change), False))
        if change:
            rows.append((t("receipt.change"), money(change), False))
    if r.sale.customer_id is not None:
        rows.append((t("receipt.points"), str(r.points) if r.points is not None else t("receipt.points.pending"),
                     False))
    rows.append(("-", "", False))
    rows.append((t("receipt.thanks"), "", False))
    height = margin * 2 + step * len(rows)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(width, height), invariant=1)
    c.setTitle(t("receipt.title", number=r.sale.order_number))
    y = height - margin - size
    for left, right, bold in rows:
        c.setFont(font, size + (1.5 if bold else 0))
        if left == "-":
            c.setDash(1, 2)
            c.line(margin, y + 3, width - margin, y + 3)
            c.setDash()
        else:
            c.drawString(margin, y, left)
            if right:
                c.drawRightString(width - margin, y, right)
        y -= step
    c.showPage()
    c.save()
    return buf.getvalue()
