"""Loyalty failures (problem+json)."""

from __future__ import annotations

from o2o.kernel.errors import Conflict


class InsufficientPoints(Conflict):
    kind = "insufficient-points"


class RewardUnavailable(Conflict):
    kind = "reward-unavailable"
