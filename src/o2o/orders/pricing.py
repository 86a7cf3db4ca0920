"""Order totals: subtotal from the strategy's prices, plus the delivery fee of the mode. Pure."""

from __future__ import annotations

# (fee, free from subtotal) in fen per mode
DELIVERY_FEES: dict[str, tuple[int, int]] = {
    "pickup": (0, 0),
    "store_delivery": (600, 5_900),
    "parcel": (1_000, 9_900),
}


def configure_store_delivery(fee_fen: int, free_from_fen: int) -> None:
    """The store-delivery fee and the subtotal from which it is free, from the settings
    (O2O_STORE_DELIVERY_FEE_FEN, O2O_STORE_DELIVERY_FREE_FROM_FEN; bootstrap.build calls this)."""
    if fee_fen < 0 or free_from_fen < 0:
        raise ValueError("delivery fees are never negative")
    DELIVERY_FEES["store_delivery"] = (fee_fen, free_from_fen)


def delivery_fee(mode: str, subtotal_fen: int) -> int:
    fee, free_from = DELIVERY_FEES[mode]
    return 0 if subtotal_fen >= free_from else fee


def totals(lines: list[tuple[int, int]], mode: str, discount_fen: int = 0) -> tuple[int, int, int]:
    """lines: (unit price, quantity). Returns (subtotal, delivery fee, total), never negative."""
    subtotal = sum(price * qty for price, qty in lines)
    fee = delivery_fee(mode, subtotal)
    return subtotal, fee, max(0, subtotal + fee - discount_fen)


def member_totals(lines: list[tuple[int, int]], mode: str, free_store_delivery: bool) -> tuple[int, int, int, int]:
    """`totals` for a member: (subtotal, fee, total, fee waived). A tier with free store delivery pays
    no store-delivery fee; the fee it would have paid is the waived amount (0 when there was none)."""
    subtotal, fee, total = totals(lines, mode)
    if free_store_delivery and mode == "store_delivery" and fee:
        return subtotal, 0, total - fee, fee
    return subtotal, fee, total, 0


def unit_share(amount_fen: int, quantity: int, qty: int) -> int:
    """The share of `qty` of `quantity` like units in `amount_fen`, by largest remainder: every unit gets
    amount // quantity, and the remainder's fen go one each to the units taken first. Taking the units
    in any number of steps (each from what is left) adds up to exactly `amount_fen`."""
    if not 0 <= qty <= quantity:
        raise ValueError(f"cannot take {qty} of {quantity} units")
    if qty == quantity:
        return amount_fen
    base, rest = divmod(amount_fen, quantity)
    return base * qty + min(rest, qty)


def refundable_fen(line: object, qty: int) -> int:
    """What `qty` units of an order line paid: the line's total less its discount (promotions, coupons),
    split over its units by largest remainder (`unit_share`). Refunding a line's units in several partial
    returns, each reducing the line by what it refunded, refunds exactly what the line paid.
    `line` has quantity, line_total_fen and discount_fen (an OrderLine, an OrderLineOut)."""
    paid = line.line_total_fen - (getattr(line, "discount_fen", 0) or 0)  # type: ignore[attr-defined]
    return unit_share(paid, line.quantity, qty)  # type: ignore[attr-defined]


# delivery time promised at checkout: a store's courier picks and rides; a parcel goes out next day
PICK_MINUTES = 15  # picking and packing at the store
RIDE_M_PER_MINUTE = 250  # an e-bike in city traffic, ~15 km/h
ETA_WINDOW_MINUTES = 15
PARCEL_MINUTES = (24 * 60, 48 * 60)


def eta_minutes(mode: str, distance_m: int | None) -> tuple[int, int] | None:
    """(earliest, latest) minutes from now for a delivery of this mode over the routed distance, the
    earliest rounded up to 5 minutes; None for pickup (its slot is the time)."""
    if mode == "store_delivery":
        ride = -(-max(0, distance_m or 0) // RIDE_M_PER_MINUTE)
        earliest = -(-(PICK_MINUTES + ride) // 5) * 5
        return earliest, earliest + ETA_WINDOW_MINUTES
    if mode == "parcel":
        return PARCEL_MINUTES
    return None
