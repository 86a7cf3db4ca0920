"""Shared steps of the promotions tests: templates and promotions made through the service."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from o2o.customers import service as customers
from o2o.customers.schemas import CustomerIn
from o2o.promotions import service
from o2o.promotions.schemas import PromotionIn, TemplateIn


def customer(container, n: int, home: tuple[float, float] | None = None) -> int:  # type: ignore[no-untyped-def]
    kw: dict[str, Any] = {"home_lat": home[0], "home_lng": home[1]} if home else {}
    return customers.create(container.uow(), CustomerIn(name=f"顾客{n}", phone=f"136{n:08d}", **kw)).id


def template(container, **kw: Any) -> int:  # type: ignore[no-untyped-def]
    now = container.clock.now()
    values: dict[str, Any] = dict(kind="threshold", name_zh="满200减30", name_en="30 off 200", min_fen=20_000,
                                  off_fen=3_000, claim_from=now - timedelta(days=1), claim_until=now + timedelta(days=7),
                                  valid_days=7)
    values.update(kw)
    return service.create_template(container.uow(), TemplateIn(**values)).id


def promotion(container, **kw: Any) -> int:  # type: ignore[no-untyped-def]
    now = container.clock.now()
    values: dict[str, Any] = dict(kind="threshold", name_zh="满100减10", name_en="10 off 100", min_fen=10_000,
                                  off_fen=1_000, starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=7))
    values.update(kw)
    return service.create_promotion(container.uow(), PromotionIn(**values)).id
