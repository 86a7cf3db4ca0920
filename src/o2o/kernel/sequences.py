"""Gap-tolerant, contention-free counters for public numbers (order numbers ...).

PostgreSQL: a real SEQUENCE (non-transactional, so no hot row lock held until commit).
SQLite: writers are already serialised, so a counter row is as good.
"""

from __future__ import annotations

from sqlalchemy import String, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from o2o.kernel.db import Base

SEQUENCES = ("order_number", "fulfillment_number")


class Counter(Base):
    __tablename__ = "counter"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)


# built once: the hot path only binds parameters
_NEXTVAL = {name: text(f"SELECT nextval('seq_{name}')") for name in SEQUENCES}
_BUMP = text("UPDATE counter SET value = value + 1 WHERE name = :n RETURNING value")
_START = text("INSERT INTO counter (name, value) VALUES (:n, 1)")


def next_value(session: Session, name: str) -> int:
    if name not in SEQUENCES:
        raise ValueError(f"unknown sequence {name}")
    conn = session.connection()  # plain statements: no ORM execution layer
    if conn.dialect.name == "postgresql":
        return int(conn.execute(_NEXTVAL[name]).scalar_one())
    value = conn.execute(_BUMP, {"n": name}).scalar()
    if value is None:
        conn.execute(_START, {"n": name})
        value = 1
    return int(value)


_NEXTVALS = {name: text(f"SELECT nextval('seq_{name}') FROM generate_series(1, :k)") for name in SEQUENCES}
_BUMP_BY = text("UPDATE counter SET value = value + :k WHERE name = :n RETURNING value")
_START_AT = text("INSERT INTO counter (name, value) VALUES (:n, :k)")


def next_values(session: Session, name: str, count: int) -> list[int]:
    """`count` new values of a counter in one statement (bulk writers: a till's offline upload)."""
    if name not in SEQUENCES:
        raise ValueError(f"unknown sequence {name}")
    if count <= 0:
        return []
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        return sorted(int(v) for v in conn.execute(_NEXTVALS[name], {"k": count}).scalars())
    last = conn.execute(_BUMP_BY, {"n": name, "k": count}).scalar()
    if last is None:
        conn.execute(_START_AT, {"n": name, "k": count})
        last = count
    return list(range(int(last) - count + 1, int(last) + 1))
