"""Offline tills' uploads (o2o.pos.sync) and the stock lines they flagged for reconciliation.

`POST /api/v1/pos/batches` comes from a till terminal with the till API's two credentials (o2o.pos.routes:
the terminal's key in X-Api-Key, the clerk's staff token as Bearer). The batch's sales go to that
terminal's store and nowhere else.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from o2o.deps import ContainerDep, PrincipalDep, Uow
from o2o.kernel.auth import require_location
from o2o.kernel.ids import Id
from o2o.pos import sync
from o2o.pos.routes import TillDep
from o2o.pos.sync_schemas import BatchIn, BatchOut, FlaggedLineOut

router = APIRouter(prefix="/api/v1", tags=["pos offline"])


@router.post("/pos/batches", response_model=BatchOut)
def upload_batch(uow: Uow, till: TillDep, body: BatchIn) -> BatchOut:
    """A batch of sales a till made while offline (at most 1,000). Each sale is answered: accepted (its
    order number), duplicate (accepted before: nothing changes; its order number) or refused (the reasons,
    e.g. unknown-sku, totals-mismatch, tenders-mismatch, sold-in-future, too-large). Sales are applied in
    sale-time order; stock sold beyond the count is kept and the line flagged (`oversold`). Send the
    same batch again after a lost answer or a cut connection: each sale is applied once."""
    return sync.ingest(uow, till, body)


@router.get("/stock/flagged", response_model=list[FlaggedLineOut])
def flagged(c: ContainerDep, p: PrincipalDep,
            location_id: Annotated[Id | None, Query(description="one store (a store's staff: theirs)")] = None,
            ) -> list[FlaggedLineOut]:
    """Stock lines a till sold beyond the count (offline), oldest first: count them (a stock count clears
    the flag)."""
    where = location_id if location_id is not None else p.store_id
    if where is not None:
        require_location(p, where)
    return sync.flagged_lines(c.db, where)
