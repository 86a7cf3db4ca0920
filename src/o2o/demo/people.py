"""Customers living around the stores, and their addresses."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from o2o.demo.geo_data import DISTRICTS, NEIGHBOURHOODS
from o2o.demo.names import person_name, unique_emails, unique_phones
from o2o.demo.places import HOOD_WEIGHT, Locations, nearest, nearest_hood, offset
from o2o.kernel import pii

NEAR_K = 6  # nearest stores remembered per address
EMAIL_SHARE = 0.4  # customers who gave an e-mail address


@dataclass
class People:
    customers: list[dict[str, Any]] = field(default_factory=list)
    addresses: list[dict[str, Any]] = field(default_factory=list)
    joined: np.ndarray = field(default_factory=lambda: np.zeros(0))  # per customer: epoch seconds
    address_of: list[list[int]] = field(default_factory=list)  # per customer: address indices (home first)
    near_store: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), int))  # per address: location indices
    near_dist: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # per address: metres
    near_wh: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), int))
    near_wh_dist: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))


def _address_line(rnd: random.Random, hood: int, work: bool) -> tuple[str, str]:
    h = NEIGHBOURHOODS[hood]
    district = DISTRICTS[h.district][0]
    street = rnd.choice(h.streets)
    if work:
        return district, f"{district}{street} {rnd.randrange(1, 1500)} 号 {rnd.choice('ABCD')} 座 {rnd.randrange(2, 30)}{rnd.randrange(1, 20):02d} 室"
    return district, (f"{district}{street} {rnd.randrange(1, 1200)} 弄 {rnd.randrange(1, 40)} 号 "
                      f"{rnd.randrange(1, 25)}{rnd.randrange(1, 5):02d} 室")


def build_people(rng: np.random.Generator, rnd: random.Random, n: int, locs: Locations, first: dict[str, int],
                 anchor: datetime, days: int) -> People:
    stores = locs.stores
    w = HOOD_WEIGHT[np.array(locs.hood)[stores]]
    home_store = stores[rng.choice(len(stores), size=n, p=w / w.sum())]
    far = rng.random(n) < 0.08  # a few live away from any store
    sigma = np.where(far, 4000.0, 900.0)
    home_lat, home_lng = offset(rng, locs.lat[home_store], locs.lng[home_store], sigma)
    # most customers are older than the history; ~15% join during it
    start = anchor - timedelta(days=days)
    new = rng.random(n) < (0.15 if days else 0.0)
    age_s = np.where(new, -rng.uniform(0, max(days, 1) * 86400, n), rng.uniform(0, 720 * 86400, n))
    joined = start.timestamp() - age_s
    phones = unique_phones(rnd, n)
    has_work = rng.random(n) < 0.35
    work_store = stores[rng.choice(len(stores), size=n, p=w / w.sum())]
    work_lat, work_lng = offset(rng, locs.lat[work_store], locs.lng[work_store], 700.0)
    addr_lat, addr_lng, owner, is_work = [], [], [], []
    out = People(joined=joined)
    for c in range(n):
        out.address_of.append([])
        points = [(home_lat[c] + rng.normal(0, 0.0002), home_lng[c] + rng.normal(0, 0.0002), False)]
        if has_work[c]:
            points.append((work_lat[c], work_lng[c], True))
        for la, ln, work in points:
            out.address_of[c].append(len(owner))
            addr_lat.append(la)
            addr_lng.append(ln)
            owner.append(c)
            is_work.append(work)
    a_lat, a_lng = np.array(addr_lat), np.array(addr_lng)
    hoods = nearest_hood(a_lat, a_lng)
    for c in range(n):
        created = datetime.fromtimestamp(float(joined[c]), anchor.tzinfo)
        out.customers.append(dict(id=first["customer"] + c, name=person_name(rnd), phone=phones[c],
                                  phone_hash=pii.lookup_hash(phones[c]), email=None, email_hash=None,
                                  home_lat=round(float(home_lat[c]), 6), home_lng=round(float(home_lng[c]), 6),
                                  created_at=created))
    for a in range(len(owner)):
        cust = out.customers[owner[a]]
        district, line = _address_line(rnd, int(hoods[a]), is_work[a])
        out.addresses.append(dict(
            id=first["address"] + a, customer_id=cust["id"], label="公司" if is_work[a] else "家",
            recipient=cust["name"], phone=cust["phone"], district=district, line=line,
            lat=round(float(a_lat[a]), 6), lng=round(float(a_lng[a]), 6),
            created_at=cust["created_at"] + timedelta(seconds=rnd.randrange(30, 3000))))
    out.near_store, out.near_dist = nearest(a_lat, a_lng, locs.lat[stores], locs.lng[stores], NEAR_K)
    out.near_store = stores[out.near_store]
    whs = locs.warehouses
    wi, out.near_wh_dist = nearest(a_lat, a_lng, locs.lat[whs], locs.lng[whs], len(whs))
    out.near_wh = whs[wi]
    _emails(rng, rnd, out.customers)
    return out


def _emails(rng: np.random.Generator, rnd: random.Random, customers: list[dict[str, Any]]) -> None:
    """Some customers gave an e-mail (drawn last, so the rest of the chain does not depend on it)."""
    who = [c for c, has in zip(customers, rng.random(len(customers)) < EMAIL_SHARE, strict=True) if has]
    for c, email in zip(who, unique_emails(rnd, [c["name"] for c in who]), strict=True):
        c["email"], c["email_hash"] = email, pii.lookup_hash(email, "email")
