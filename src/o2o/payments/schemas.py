"""Reconciliation shapes at the edges (CLI, back-office)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict


class DifferenceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: str
    record: str
    out_trade_no: str
    out_refund_no: str | None
    ours_fen: int | None
    theirs_fen: int | None
    our_status: str | None
    their_status: str | None


class StatementOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    provider: str
    bill_date: date
    file_name: str
    rows: int
    differences: int
    imported_by: str
    imported_at: datetime
    items: list[DifferenceOut] = []
