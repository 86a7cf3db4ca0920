"""A simulated same-city courier platform, advanced by the worker (`o2o worker`, in-process under `o2o demo`).

Its platform side keeps its own orders in memory (a worker restart forgets them: the open deliveries are
then found by our status poll, answered "unknown", and failed over). `advance()` moves every order whose
time has come one step: waiting for a rider (1-5 min) -> rider assigned -> at the store -> delivering ->
delivered, and calls us back over real HTTP with Dada-shaped callbacks signed with its app secret
(signing.py). A profile makes it realistic: refusals at creation, a rider giving up (another is assigned:
a reassignment), cancellations by the platform, lost callbacks (never sent; our poll finds the state with
`query`), no rider ever (the order expires on our side). A callback that fails (our app down) is sent again
on the next rounds, as platforms do.
"""

from __future__ import annotations

import logging
import random
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import httpx

from o2o.adapters.couriers import (
    ASSIGNED,
    AT_STORE,
    CANCELLED,
    DELIVERED,
    DELIVERING,
    FINAL,
    WAITING,
    CourierError,
    Parcel,
    Placed,
    Quote,
    Refused,
    Update,
)
from o2o.adapters.couriers.dada import CODE_OF, update_from_callback
from o2o.adapters.couriers.signing import signed_callback, verify_callback
from o2o.kernel.clock import Clock
from o2o.kernel.geo import haversine_m

log = logging.getLogger(__name__)

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡"
NEXT = {WAITING: ASSIGNED, ASSIGNED: AT_STORE, AT_STORE: DELIVERING, DELIVERING: DELIVERED}


@dataclass
class Profile:
    """How one simulated platform behaves (shares are probabilities 0..1, times in seconds)."""

    base_fee_fen: int = 500
    per_km_fen: int = 150
    refuse: float = 0.0  # creations refused (out of area, no capacity)
    cancel: float = 0.0  # orders the platform cancels while no rider has them
    reassign: float = 0.0  # orders whose first rider gives up before the store (another takes over)
    lose: float = 0.0  # callbacks never sent
    no_rider: bool = False  # no rider ever takes an order (it expires on our side)
    rider_s: tuple[float, float] = (60, 300)  # until a rider takes the order
    to_store_s: tuple[float, float] = (120, 480)
    at_store_s: tuple[float, float] = (60, 180)
    per_km_s: float = 240  # riding time per km to the customer
    seed: int | None = None

    @classmethod
    def fast(cls, **kw: object) -> Profile:
        """No waiting: every `advance` takes each order one step (tests, demos)."""
        zero = (0.0, 0.0)
        return cls(rider_s=zero, to_store_s=zero, at_store_s=zero, per_km_s=0, **kw)  # type: ignore[arg-type]


@dataclass
class SimOrder:
    origin_id: str
    platform_id: str
    distance_m: int
    fee_fen: int
    status: str = WAITING
    due: float = 0.0  # unix seconds of its next step
    tip_fen: int = 0
    rider_id: str = ""
    rider_name: str = ""
    rider_phone: str = ""
    updated: int = 0
    reason: str = ""
    gives_up: bool = False  # its first rider gives up (a reassignment)
    cancels: bool = False  # the platform cancels it while waiting


@dataclass
class _Callback:
    body: bytes
    tries: int = 0


@dataclass
class SimCourier:
    name: str
    secret: str
    callback_base: Callable[[], str]  # our app's base URL (settings.public_base_url), read at each call
    clock: Clock
    profile: Profile = field(default_factory=Profile)
    timeout_s: float = 5.0
    orders: dict[str, SimOrder] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)  # (operation, origin id): what we were asked
    pending: list[_Callback] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.profile.seed)

    # --- the platform's API (called by the relay) -------------------------------------------------------
    def quote(self, parcel: Parcel) -> Quote:
        distance = parcel.distance_m or int(haversine_m(parcel.from_lat, parcel.from_lng, parcel.to_lat, parcel.to_lng))
        fee = self.profile.base_fee_fen + self.profile.per_km_fen * ((distance + 999) // 1000)
        with self.lock:
            self.calls.append(("quote", parcel.origin_id))
        return Quote(self.name, fee, distance, 25 + distance // 250, f"{self.name}-q-{parcel.origin_id}")

    def create(self, parcel: Parcel, quote: Quote | None = None) -> Placed:
        q = quote or self.quote(parcel)
        now = self._now()
        with self.lock:
            self.calls.append(("create", parcel.origin_id))
            known = self.orders.get(parcel.origin_id)
            if known is not None:  # the same origin id again (our retry): the same delivery
                return Placed(self.name, known.origin_id, known.platform_id, known.fee_fen)
            p = self.profile
            if self.rng.random() < p.refuse:
                raise Refused(f"{self.name}: no capacity for {parcel.origin_id}")
            order = SimOrder(parcel.origin_id, f"{self.name.upper()}{secrets.token_hex(6)}", q.distance_m, q.fee_fen,
                             due=now + self._wait(p.rider_s), updated=int(now),
                             gives_up=self.rng.random() < p.reassign, cancels=self.rng.random() < p.cancel)
            self.orders[order.origin_id] = order
        return Placed(self.name, order.origin_id, order.platform_id, order.fee_fen)

    def cancel(self, origin_id: str, reason: str) -> None:
        with self.lock:
            self.calls.append(("cancel", origin_id))
            order = self.orders.get(origin_id)
            if order is None:
                raise Refused(f"{self.name}: no order {origin_id}")
            if order.status in FINAL:
                return
            self._set(order, CANCELLED, reason=reason or "cancelled by the merchant")

    def add_tip(self, origin_id: str, tip_fen: int, total_fen: int) -> None:
        with self.lock:
            self.calls.append(("tip", origin_id))
            order = self.orders.get(origin_id)
            if order is None:
                raise Refused(f"{self.name}: no order {origin_id}")
            if order.status == WAITING and total_fen > order.tip_fen:
                order.tip_fen = total_fen
                order.due = min(order.due, self._now() + self._wait(self.profile.rider_s) / 2)  # riders like tips

    def query(self, origin_id: str) -> Update:
        with self.lock:
            self.calls.append(("query", origin_id))
            order = self.orders.get(origin_id)
            if order is None:
                raise Refused(f"{self.name}: no order {origin_id}")
            return update_from_callback(self.name, self._fields(order))

    def parse_callback(self, body: bytes, headers: Mapping[str, str], now: int) -> Update:
        return update_from_callback(self.name, verify_callback(self.secret, body, now))

    # --- the platform's own life (run by the worker) -------------------------------------------------
    def advance(self) -> int:
        """Move every order whose time has come one step; send its callback (and any not yet delivered).
        Returns how many callbacks reached us."""
        now = self._now()
        with self.lock:
            for order in list(self.orders.values()):
                if order.status not in FINAL and order.due <= now:
                    self._step(order, now)
            todo, self.pending = self.pending, []
        sent, again = 0, []
        for cb in todo:
            if self._post(cb.body):
                sent += 1
            elif cb.tries < 20:
                cb.tries += 1
                again.append(cb)
        with self.lock:
            self.pending = again + self.pending
        return sent

    def _step(self, order: SimOrder, now: float) -> None:
        p = self.profile
        if order.status == WAITING:
            if p.no_rider:
                order.due = now + 3600
                return
            if order.cancels:
                self._set(order, CANCELLED, reason="no rider available, cancelled by the platform")
                return
            self._rider(order)
            self._set(order, ASSIGNED)
            order.due = now + self._wait(p.to_store_s)
        elif order.status == ASSIGNED and order.gives_up:
            order.gives_up = False  # the rider gave up; another one is assigned (a reassignment)
            self._rider(order)
            self._set(order, ASSIGNED, reason="rider reassigned")
            order.due = now + self._wait(p.to_store_s)
        else:
            nxt = NEXT[order.status]
            self._set(order, nxt)
            if nxt == AT_STORE:
                order.due = now + self._wait(p.at_store_s)
            elif nxt == DELIVERING:
                order.due = now + p.per_km_s * order.distance_m / 1000

    def _rider(self, order: SimOrder) -> None:
        order.rider_id = str(self.rng.randrange(100_000, 999_999))
        order.rider_name = self.rng.choice(SURNAMES) + "师傅"
        order.rider_phone = "139" + "".join(str(self.rng.randrange(10)) for _ in range(8))

    def _set(self, order: SimOrder, status: str, reason: str = "") -> None:
        """Under the lock: the new state, and its callback queued (unless this one is lost)."""
        order.status, order.reason = status, reason
        order.updated = max(order.updated + 1, int(self._now()))  # strictly later than the last change
        if self.rng.random() < self.profile.lose:
            log.info("sim courier %s: callback %s %s lost", self.name, order.origin_id, status)
            return
        self.pending.append(_Callback(signed_callback(self.secret, self._fields(order))))

    def _fields(self, order: SimOrder) -> dict[str, object]:
        return {"client_id": order.platform_id, "order_id": order.origin_id, "order_status": CODE_OF[order.status],
                "cancel_reason": order.reason if order.status == CANCELLED else "",
                "cancel_from": 3 if order.status == CANCELLED else 0, "update_time": order.updated,
                "dm_id": order.rider_id, "dm_name": order.rider_name, "dm_mobile": order.rider_phone}

    def _post(self, body: bytes) -> bool:
        url = f"{self.callback_base().rstrip('/')}/api/v1/couriers/{self.name}/callback"
        try:
            r = httpx.post(url, content=body, headers={"Content-Type": "application/json"}, timeout=self.timeout_s)
        except httpx.HTTPError as exc:
            log.warning("sim courier %s: callback to %s failed: %s", self.name, url, exc)
            return False
        if r.status_code >= 500 or r.status_code == 404:
            log.warning("sim courier %s: callback answered %s", self.name, r.status_code)
            return False
        return True  # 2xx, or a refusal (4xx) a platform would not repeat forever

    def _wait(self, span: tuple[float, float]) -> float:
        lo, hi = span
        return lo if hi <= lo else self.rng.uniform(lo, hi)

    def _now(self) -> float:
        return self.clock.now().timestamp()


__all__ = ["CourierError", "Profile", "SimCourier", "DELIVERED", "DELIVERING"]
