"""Reconciliation: a provider's daily statement imported, and every difference against our records."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from o2o.kernel.db import Base, BigId

# kinds of difference
MISSING_OURS, MISSING_THEIRS, AMOUNT_MISMATCH, STATUS_MISMATCH = (
    "missing_ours", "missing_theirs", "amount_mismatch", "status_mismatch")
KINDS = (MISSING_OURS, MISSING_THEIRS, AMOUNT_MISMATCH, STATUS_MISMATCH)


class Statement(Base):
    __tablename__ = "payment_statement"
    __table_args__ = (Index("ix_payment_statement_provider_date", "provider", "bill_date"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    provider: Mapped[str] = mapped_column(String(20))
    bill_date: Mapped[date]
    file_name: Mapped[str] = mapped_column(String(200))
    rows: Mapped[int]
    differences: Mapped[int]
    imported_by: Mapped[str] = mapped_column(String(80))
    imported_at: Mapped[datetime]


class StatementDifference(Base):
    __tablename__ = "payment_statement_difference"
    __table_args__ = (Index("ix_payment_statement_difference_statement", "statement_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("payment_statement.id"))
    kind: Mapped[str] = mapped_column(String(24))
    record: Mapped[str] = mapped_column(String(8))  # payment, refund
    out_trade_no: Mapped[str] = mapped_column(String(64))
    out_refund_no: Mapped[str | None] = mapped_column(String(64))
    # a statement's sums may exceed a payment's INTEGER: a forged or absurd file must not fail the import
    ours_fen: Mapped[int | None] = mapped_column(BigInteger)
    theirs_fen: Mapped[int | None] = mapped_column(BigInteger)
    our_status: Mapped[str | None] = mapped_column(String(16))
    their_status: Mapped[str | None] = mapped_column(String(32))
