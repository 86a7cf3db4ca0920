"""Every cost and limit of the sourcing engine in one object (integer fen and minutes, never floats).

Defaults are a plausible Shanghai chain; head office tunes them without code changes (the service reads
`max_split` from `O2O_SOURCING_MAX_SPLIT`; a caller may pass a whole `SourcingSettings`).

Cost of a plan = sum over the locations used of
  courier fee (store delivery: the first distance band at or past the store's distance to the customer)
  | parcel fee (parcel: flat per parcel)
  | pickup detour (pickup: fen per km between the customer and the store)
  + picking cost per location (a split costs a second pick, pack and hand-over)
  + lateness: minutes the location's ETA is past the promise x fen per minute x the tier's weight (%)
and, per line, of
  + stock balance: a store left with fewer than `balance_floor_units` of a SKU after the line, per unit
    below the floor (draining a store's last units hurts its walk-in trade)
  - excess bonus: a store still holding at least `excess_units` of a SKU after the line (move stock
    that would otherwise age there)
The objective is lexicographic: fewest locations first, then the lowest cost.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class DistanceBand(BaseModel):
    model_config = ConfigDict(frozen=True)
    up_to_m: int = Field(ge=0)
    fee_fen: int = Field(ge=0)


class SourcingSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # the most locations one order is sourced from (1: never split)
    max_split: int = Field(2, ge=1, le=10)
    # store delivery: the courier's fee by distance band (the last band covers anything farther)
    courier_bands: tuple[DistanceBand, ...] = (
        DistanceBand(up_to_m=1_000, fee_fen=500), DistanceBand(up_to_m=3_000, fee_fen=700),
        DistanceBand(up_to_m=5_000, fee_fen=1_000), DistanceBand(up_to_m=1_000_000_000, fee_fen=1_600))
    parcel_fee_fen: int = Field(1_200, ge=0)
    pickup_fen_per_km: int = Field(100, ge=0)  # a pickup store farther from the customer is worse
    picking_fen: int = Field(300, ge=0)  # per location used
    lateness_fen_per_min: int = Field(20, ge=0)
    tier_lateness_weight_pct: dict[str, int] = {"gold": 200, "platinum": 300}  # other tiers: 100
    balance_floor_units: int = Field(2, ge=0)
    balance_fen_per_unit: int = Field(150, ge=0)
    excess_units: int = Field(30, ge=0)
    excess_bonus_fen: int = Field(100, ge=0)  # per line taken from a store with excess
    # timing: minutes to pick; stores stop taking orders for today this long before closing
    pick_minutes: int = Field(20, ge=0)
    cutoff_minutes: int = Field(30, ge=0)
    courier_pickup_minutes: int = Field(10, ge=0)
    courier_m_per_min: int = Field(250, ge=1)  # ~15 km/h in town
    parcel_minutes: int = Field(24 * 60, ge=0)
    # a location that does not open within this many hours is not a candidate
    horizon_hours: int = Field(48, ge=1, le=24 * 8)
    # pickup: stores this far from the customer at most (the chosen store always counts)
    pickup_max_m: int = Field(5_000, ge=0)
    # search: explored partial plans before the exact search hands over to CP-SAT; CP-SAT's time limit
    exact_budget: int = Field(4_000, ge=1)
    cpsat_seconds: float = Field(2.0, gt=0, le=60)
