"""Till sessions and cash: the shapes of the API (o2o.pos.till_routes) and of the pages that show them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from o2o.kernel.inputs import Input

# a till's cash: a float or a cash move up to one million yuan; a count per tender up to a billion yuan
MAX_CASH_FEN = 100_000_000
MAX_COUNT_FEN = 100_000_000_000
COUNTED = ("cash", "card", "wechat", "alipay")  # what is counted at close (store credit is no money in the till)
Fen = Annotated[int, Field(ge=0, le=MAX_COUNT_FEN)]


class OpenIn(Input):
    float_fen: int = Field(ge=0, le=MAX_CASH_FEN, description="the cash counted into the drawer at opening, in fen")


class CashMoveIn(Input):
    kind: Literal["in", "out"] = Field(description="in: a float top-up; out: a bank drop, a petty expense")
    amount_fen: int = Field(ge=1, le=MAX_CASH_FEN)
    reason: str = Field(min_length=1, max_length=200, pattern=r"\S", description="why (not only spaces)")

    @field_validator("reason")
    @classmethod
    def _said(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("say why the cash moves")
        return value


class Counted(Input):
    """What was counted per tender, in fen: the cash in the drawer; card, WeChat Pay and Alipay from the
    terminal's settlement slip (a tender left out counts 0)."""

    model_config = ConfigDict(extra="forbid")
    cash: Fen
    card: Fen = 0
    wechat: Fen = 0
    alipay: Fen = 0


class CloseIn(Input):
    counted: Counted


class SessionOut(BaseModel):
    id: int
    terminal_id: int
    terminal_code: str
    location_id: int
    status: str
    opened_by: str
    opened_at: datetime
    float_fen: int
    closed_by: str | None = None
    closed_at: datetime | None = None
    cash_difference_fen: int | None = Field(None, description="counted - expected cash, once closed")


class TerminalOut(BaseModel):
    id: int
    code: str
    name: str
    location_id: int
    session: SessionOut | None = Field(None, description="the open till session, if any")


class CashMoveOut(BaseModel):
    id: int
    session_id: int
    kind: str
    amount_fen: int
    reason: str
    actor: str
    at: datetime


class TenderTotal(BaseModel):
    kind: str
    count: int
    amount_fen: int
    change_fen: int


class TenderLine(BaseModel):
    """One tender at close: what the till should hold, what was counted, counted - expected."""

    kind: str
    expected_fen: int
    counted_fen: int | None = None
    difference_fen: int | None = None


class ZReport(BaseModel):
    """A shift's summary: sales, totals per tender, refunds and cash moves, expected against counted."""

    session: SessionOut
    sales_count: int
    sales_fen: int
    tenders: list[TenderTotal]
    cash_in_fen: int
    cash_out_fen: int
    cash_refund_fen: int
    refunds_count: int
    moves: list[CashMoveOut]
    lines: list[TenderLine]  # per counted tender; counted and difference once closed


class DiffRow(BaseModel):
    key: str  # a tender kind, a clerk, a store id, a day
    sessions: int
    expected_fen: int
    counted_fen: int
    difference_fen: int


class DailyDiff(BaseModel):
    day: date
    location_id: int
    cash_difference_fen: int


class ReportOut(BaseModel):
    """Closed till sessions between two days (the store's local dates of closing)."""

    date_from: date
    date_to: date
    location_id: int | None
    sessions: int
    by_tender: list[DiffRow]
    by_clerk: list[DiffRow]  # the clerk who opened the session, all tenders together
    by_store: list[DiffRow]  # key: the location id
    daily: list[DailyDiff]  # the cash difference per store and day
