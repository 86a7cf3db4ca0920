"""Fulfilment failures."""

from __future__ import annotations

from o2o.kernel.errors import Conflict, Problem


class WrongCode(Problem):
    status, kind, message_key = 422, "wrong-pickup-code", "wrong_code"


class HandoverLocked(Conflict):
    kind = "handover-locked"


class ShortPicked(Conflict):
    """A short-picked fulfilment leaves nothing (ready, hand-over, dispatch) until it is resolved."""

    kind = "short-picked"


class NothingFound(Conflict):
    """Every line is missing: the customer cannot accept a partial order of nothing; cancel it."""

    kind = "nothing-found"
