"""The demo catalogue rows (categories, products, SKUs) and what each location carries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from o2o.demo.catalog_data import CATEGORIES, COMPLEMENTS, PLAIN, Item

ITEMS: tuple[tuple[int, Item], ...] = tuple((c, it) for c, cat in enumerate(CATEGORIES) for it in cat.items)
ITEM_INDEX = {it.key: i for i, (_, it) in enumerate(ITEMS)}
COMPLEMENT_ITEMS: dict[int, tuple[int, ...]] = {
    ITEM_INDEX[k]: tuple(ITEM_INDEX[v] for v in vs) for k, vs in COMPLEMENTS.items()}
BRANDS = sorted({b for cat in CATEGORIES for b in cat.brands} | {b for _, it in ITEMS for b in it.brands})
BRAND_CODE = {b: 1000 + i for i, b in enumerate(BRANDS)}


def ean13(first12: str) -> str:
    """The 13-digit EAN with its check digit."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return first12 + str((10 - total % 10) % 10)


def shelf_price(fen: float) -> int:
    """Retail-looking prices: 12.90, 3.50, 129.00 ..."""
    if fen >= 10_000:
        return int(round(fen / 1000) * 1000 - 10)
    if fen >= 1_000:
        return int(round(fen / 100) * 100 - 10)
    return max(10, int(round(fen / 50) * 50))


@dataclass
class Catalog:
    categories: list[dict[str, Any]] = field(default_factory=list)
    products: list[dict[str, Any]] = field(default_factory=list)
    skus: list[dict[str, Any]] = field(default_factory=list)
    cat: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # per SKU: category index
    item: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # per SKU: index into ITEMS
    price: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # per SKU: base price fen
    pop: np.ndarray = field(default_factory=lambda: np.zeros(0))  # per SKU: popularity within its category
    line_name: list[str] = field(default_factory=list)  # per SKU: what an order line calls it

    @property
    def ids(self) -> list[int]:
        return [r["id"] for r in self.skus]


def _quotas(n: int) -> list[int]:
    """SKUs per category, proportional to shelf share, summing to exactly n."""
    share = np.array([c.carry for c in CATEGORIES])
    raw = n * share / share.sum()
    q = np.floor(raw).astype(int)
    for i in np.argsort(-(raw - q), kind="stable")[: n - q.sum()]:
        q[i] += 1
    return [int(x) for x in q]


def build_catalog(rng: np.random.Generator, n_skus: int, first: dict[str, int], listed_before: datetime) -> Catalog:
    out = Catalog()
    cats, items, prices, pops = [], [], [], []
    for c, cat in enumerate(CATEGORIES):
        out.categories.append(dict(id=first["category"] + c, code=cat.code, name_zh=cat.zh, name_en=cat.en,
                                   parent_id=None))
    for c, quota in enumerate(_quotas(n_skus)):
        cat = CATEGORIES[c]
        combos = [(it, b, m) for it in cat.items for b in (it.brands or cat.brands) for m in cat.modifiers]
        order = rng.permutation(len(combos))
        made, rounds = 0, 0
        while made < quota:
            for j in order:
                if made >= quota:
                    break
                it, brand, mod = combos[j]
                pid = first["product"] + len(out.products)
                series = ("", "") if rounds == 0 else (("新款", "New") if rounds == 1 else (f"系列{rounds + 1}", f"Series {rounds + 1}"))
                name_zh = f"{brand[0]}{mod[0]}{it.zh}{series[0]}"
                name_en = " ".join(x for x in (brand[1], mod[1], it.en, series[1]) if x)
                out.products.append(dict(
                    id=pid, category_id=first["category"] + c, name_zh=name_zh, name_en=name_en, brand=brand[0] or None,
                    description=f"{cat.zh} · {name_zh}" + (f"（{mod[0]}）" if mod != PLAIN else ""), active=True,
                    created_at=listed_before - timedelta(days=int(rng.integers(7, 1000)))))
                want = int(rng.integers(1, 5))
                spec_ix = sorted(rng.permutation(len(it.specs))[: min(want, len(it.specs), quota - made)].tolist())
                position = rng.beta(2, 2)  # where this brand/modifier sits in the price range
                product_pop = rng.lognormal(0, 0.9)
                for rank, s in enumerate(spec_ix):
                    spec, lo, hi = it.specs[s]
                    n = len(out.skus)
                    price = shelf_price(lo + position * (hi - lo))
                    out.skus.append(dict(
                        id=first["sku"] + n, product_id=pid, code=f"SKU{n + 1:06d}",
                        barcode=ean13(f"69{BRAND_CODE.get(brand, 9999) % 10_000:04d}{n + 1:06d}"),
                        spec=spec, unit=it.unit, base_price_fen=price, active=True))
                    out.line_name.append(f"{name_zh} {spec}".strip())
                    cats.append(c)
                    items.append(ITEM_INDEX[it.key])
                    prices.append(price)
                    pops.append(product_pop * (1.0 if rank == 0 else 0.6))
                    made += 1
            rounds += 1
    out.cat, out.item = np.array(cats, dtype=np.int64), np.array(items, dtype=np.int64)
    out.price, out.pop = np.array(prices, dtype=np.int64), np.array(pops)
    return out


def assortments(rng: np.random.Generator, catalog: Catalog, is_store: np.ndarray) -> list[np.ndarray]:
    """Sorted SKU indices each location carries: a category-weighted subset for stores, ~all for warehouses."""
    n = len(catalog.skus)
    carry = np.array([c.carry for c in CATEGORIES])
    base = np.log(carry[catalog.cat]) + 0.5 * np.log(catalog.pop)
    out = []
    for store in is_store:
        if not store:
            out.append(np.flatnonzero(rng.random(n) < 0.97))
            continue
        k = int(n * rng.uniform(0.60, 0.75))
        k = max(1, min(k, int(rng.integers(1500, 2500))))
        tilt = rng.normal(0, 0.35, len(CATEGORIES))  # this store's own mix: more fresh, less apparel ...
        keys = base + tilt[catalog.cat] + rng.gumbel(size=n)  # Gumbel top-k = weighted sampling without replacement
        out.append(np.sort(np.argpartition(-keys, k - 1)[:k]) if k < n else np.arange(n))
    return out


def store_prices(rng: np.random.Generator, assort: list[np.ndarray], is_store: np.ndarray,
                 base_price: np.ndarray) -> dict[tuple[int, int], int]:
    """(location index, SKU index) -> own price, for ~2% of what stores carry."""
    out: dict[tuple[int, int], int] = {}
    factors = np.array([0.95, 0.90, 0.98, 1.05])
    for loc, skus in enumerate(assort):
        if not is_store[loc]:
            continue
        chosen = skus[rng.random(len(skus)) < 0.02]
        f = factors[rng.choice(4, size=len(chosen), p=[0.5, 0.2, 0.15, 0.15])]
        for sku, price in zip(chosen.tolist(), (base_price[chosen] * f).tolist(), strict=True):
            out[(loc, sku)] = max(10, int(round(price / 10) * 10))
    return out


def opening_stock(rng: np.random.Generator, catalog: Catalog, skus: np.ndarray, store: bool
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Final on_hand (skewed, some zeros) and safety stock for one location's SKUs."""
    pop = catalog.pop[skus] / (catalog.pop[skus].mean() if len(skus) else 1.0)
    if store:
        mean = 3 + 12 * pop
        on_hand = rng.negative_binomial(1.2, 1.2 / (1.2 + mean))
        on_hand[rng.random(len(skus)) < 0.04] = 0
        return on_hand, rng.integers(0, 4, size=len(skus))
    mean = 300 + 1200 * pop
    return rng.negative_binomial(3, 3 / (3 + mean)) + 50, rng.integers(10, 50, size=len(skus))
