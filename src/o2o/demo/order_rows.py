"""Table rows for simulated sales: orders, lines, history, payments, fulfilments, ledger rows."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from o2o.demo.catalog import Catalog
from o2o.demo.history import Sale, utc
from o2o.demo.people import People
from o2o.demo.places import Locations
from o2o.kernel.clock import SHANGHAI
from o2o.orders.pricing import totals

TABLES = ("sales_order", "order_line", "order_history", "payment", "fulfillment_order", "fulfillment_line",
          "fulfillment_history", "stock_movement")
UNPAID_TTL_S = 30 * 60
COURIERS = ("dada", "sf", "jd")


def sold_totals(sales: list[Sale]) -> dict[tuple[int, int], int]:
    """(location index, SKU index) -> units that left the location over the history."""
    out: dict[tuple[int, int], int] = defaultdict(int)
    for s in sales:
        if s.handed is not None:
            for sku, qty, _ in s.lines:
                out[(s.loc, sku)] += qty
    return out


class OrderRows:
    """Turns sales (sorted by creation) into rows, numbering orders SO{yyyymmdd}{seq:06d} from seq 1."""

    def __init__(self, rnd: random.Random, locs: Locations, catalog: Catalog, people: People,
                 first: dict[str, int]) -> None:
        self.rnd, self.locs, self.catalog, self.people = rnd, locs, catalog, people
        self.next_order = first["sales_order"]
        self.next_fulfillment = first["fulfillment_order"]
        self.seq = 0

    def chunks(self, sales: list[Sale], size: int = 2000) -> Iterator[tuple[int, dict[str, list[dict[str, Any]]]]]:
        for start in range(0, len(sales), size):
            rows: dict[str, list[dict[str, Any]]] = {t: [] for t in TABLES}
            part = sales[start:start + size]
            for s in part:
                self._one(s, rows)
            yield len(part), rows

    def _one(self, s: Sale, rows: dict[str, list[dict[str, Any]]]) -> None:
        self.seq += 1
        oid, self.next_order = self.next_order, self.next_order + 1
        created = utc(s.created)
        number = f"SO{created.astimezone(SHANGHAI):%Y%m%d}{self.seq:06d}"
        loc_row = self.locs.rows[s.loc]
        subtotal, fee, total = totals([(price, qty) for _, qty, price in s.lines], s.mode)
        pos = s.channel == "pos"
        addr = self.people.addresses[s.address] if s.address is not None else None
        rows["sales_order"].append(dict(
            id=oid, number=number, customer_id=self.people.customers[s.customer]["id"], channel=s.channel,
            utm_source=s.utm[0], utm_medium=s.utm[1], utm_campaign=s.utm[2], status=s.status,
            wanted_mode=s.wanted_mode, mode=s.mode,
            chosen_location_id=self.locs.rows[s.chosen]["id"] if s.chosen is not None else None,
            fulfil_location_id=loc_row["id"], route_reason=s.reason[:300], distance_m=s.distance_m,
            ship_lat=addr["lat"] if addr else None, ship_lng=addr["lng"] if addr else None,
            ship_address=addr["line"] if addr else None, pickup_slot=None, subtotal_fen=subtotal,
            delivery_fee_fen=fee, discount_fen=0, total_fen=total, currency="CNY", created_at=created,
            expires_at=None if pos else utc(s.created + UNPAID_TTL_S), paid_at=utc(s.paid) if s.paid else None,
            completed_at=utc(s.completed) if s.completed and s.status == "completed" else None))
        for sku, qty, price in s.lines:
            rows["order_line"].append(dict(order_id=oid, sku_id=self.catalog.skus[sku]["id"],
                                           name=self.catalog.line_name[sku][:200], quantity=qty,
                                           unit_price_fen=price, line_total_fen=price * qty))
        trade_no = f"{number}P{utc(s.paid).astimezone(SHANGHAI):%H%M%S%f}"[:40] if s.paid is not None else ""
        self._history(s, oid, loc_row["code"], trade_no, rows)
        if s.paid is not None:
            rows["payment"].append(dict(
                order_id=oid, provider="pos" if pos else "sandbox", out_trade_no=trade_no,
                provider_txn_id=f"{'POS' if pos else 'SBX'}{self.rnd.getrandbits(40):010x}{oid:010d}",
                amount_fen=total, status="succeeded", created_at=utc(s.paid - self.rnd.uniform(3, 10)),
                notified_at=utc(s.paid)))
        if s.handed is not None:
            kind = "pos_sale" if pos else "online_sale"
            rows["stock_movement"].extend(
                dict(location_id=loc_row["id"], sku_id=self.catalog.skus[sku]["id"], kind=kind, quantity=-qty,
                     ref=number, reason="", at=utc(s.handed)) for sku, qty, _ in s.lines)
            if not pos:
                self._fulfillment(s, oid, number, loc_row["code"], rows)

    def _history(self, s: Sale, oid: int, code: str, trade_no: str, rows: dict[str, list[dict[str, Any]]]) -> None:
        out = rows["order_history"]

        def add(src: str | None, dst: str, actor: str, at: float, note: str = "") -> None:
            out.append(dict(order_id=oid, from_status=src, to_status=dst, actor=actor, note=note[:300], at=utc(at)))

        if s.channel == "pos":
            add(None, "completed", f"pos:{code}", s.created, "till sale")
            return
        add(None, "pending_payment", s.channel, s.created, s.reason)
        if s.status in ("cancelled", "expired"):
            actor = "customer" if s.status == "cancelled" else "system:expiry"
            add("pending_payment", s.status, actor, s.closed or s.created, "")
            return
        add("pending_payment", "paid", "payment:sandbox", s.paid or s.created, trade_no)
        add("paid", "picking", "fulfillment", s.picking or s.created)
        if s.mode == "parcel":
            add("picking", "shipped", "fulfillment", s.handed or s.created)
            if s.status == "completed":
                add("shipped", "completed", f"courier:{self.rnd.choice(COURIERS)}", s.completed or s.created,
                    "delivered")
        else:
            add("picking", "ready", "fulfillment", s.ready or s.created)
            add("ready", "completed", "fulfillment", s.completed or s.created)

    def _fulfillment(self, s: Sale, oid: int, number: str, code: str, rows: dict[str, list[dict[str, Any]]]) -> None:
        fid, self.next_fulfillment = self.next_fulfillment, self.next_fulfillment + 1
        parcel = s.mode == "parcel"
        final = "shipped" if parcel else "handed_over"
        rows["fulfillment_order"].append(dict(
            id=fid, order_id=oid, order_number=number, location_id=self.locs.rows[s.loc]["id"], mode=s.mode,
            status=final, reason=s.reason[:300],
            pickup_code=f"{self.rnd.randrange(1_000_000):06d}" if s.mode == "pickup" else None,
            failed_code_attempts=0, created_at=utc(s.paid or s.created),
            ready_at=utc(s.ready) if s.ready else None, closed_at=utc(s.handed or s.created)))
        rows["fulfillment_line"].extend(dict(fulfillment_id=fid, sku_id=self.catalog.skus[sku]["id"], quantity=qty)
                                        for sku, qty, _ in sorted(s.lines))
        clerk = f"clerk:{code}"
        steps = [(None, "new", "router", s.paid, s.reason), ("new", "picking", clerk, s.picking, "")]
        if parcel:
            steps.append(("picking", "shipped", clerk, s.handed, f"{self.rnd.choice(COURIERS)} waybill"))
        else:
            steps.append(("picking", "ready", clerk, s.ready, ""))
            note = "pickup code verified" if s.mode == "pickup" else f"handed to {self.rnd.choice(COURIERS)} courier"
            steps.append(("ready", "handed_over", clerk, s.handed, note))
        rows["fulfillment_history"].extend(
            dict(fulfillment_id=fid, from_status=src, to_status=dst, actor=actor, note=note[:300],
                 at=utc(at or s.created)) for src, dst, actor, at, note in steps)
