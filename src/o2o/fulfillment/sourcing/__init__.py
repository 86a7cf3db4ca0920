"""The sourcing engine (issue 13): which locations fulfil an order, from which each line, and why.

Pure (no database, no clock): `decide(Request, [Node], SourcingSettings, [Rule]) -> Decision`. The
database side (candidates, stock, capacity used, rules table, decision record) is
`o2o.fulfillment.service.source`.
"""

from o2o.fulfillment.sourcing.engine import decide, reallocate, serve_mode
from o2o.fulfillment.sourcing.rules import SPEC, Rule, RuleSpec
from o2o.fulfillment.sourcing.settings import SourcingSettings
from o2o.fulfillment.sourcing.types import (
    OK,
    PARCEL,
    PICKUP,
    STORE_DELIVERY,
    UNFULFILLABLE,
    Allocation,
    Candidate,
    Costs,
    Decision,
    Node,
    Request,
    Search,
)

__all__ = ["OK", "PARCEL", "PICKUP", "SPEC", "STORE_DELIVERY", "UNFULFILLABLE", "Allocation", "Candidate", "Costs",
           "Decision", "Node", "Request", "Rule", "RuleSpec", "Search", "SourcingSettings", "decide", "reallocate", "serve_mode"]
