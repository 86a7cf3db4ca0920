"""Fulfilment failures."""

from __future__ import annotations

from o2o.kernel.errors import Conflict, Problem


class WrongCode(Problem):
    status, kind, message_key = 422, "wrong-pickup-code", "wrong_code"


class HandoverLocked(Conflict):
    kind = "handover-locked"
