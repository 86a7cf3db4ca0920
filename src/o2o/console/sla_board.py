"""The console board's at-risk section (issue 13): the store's fulfilments whose promise is within the
warning lead or missed, the most overdue first. It is part of the board fragment, so it refreshes with
the board: the live stream (console/live.py) sends `board` when the SLA watch flags a fulfilment of the
store (fulfillment.board_state counts the flags), and the 20 s poll covers a board without a stream."""

from __future__ import annotations

from o2o.console.sla_texts import TEXTS as SLA_TEXTS
from o2o.console.texts import TEXTS
from o2o.deps import Container
from o2o.fulfillment import service as fulfillment
from o2o.locations.schemas import LocationOut

for _lang, _texts in SLA_TEXTS.items():  # the board's texts (o2o.console.texts) gain the section's
    TEXTS[_lang].update(_texts)  # type: ignore[index]

SHOWN = 50  # the section lists this many at most (the most overdue)


def at_risk_of(c: Container, store: LocationOut) -> list[fulfillment.AtRiskOut]:
    return fulfillment.at_risk(c.db, c.clock.now(), store.id, limit=SHOWN)
