"""Group buying failures (problem+json, 409 unless said)."""

from __future__ import annotations

from o2o.kernel.errors import Conflict


class GroupFull(Conflict):
    kind = "group-full"


class GroupClosed(Conflict):
    """The group formed, failed or ran out of time."""

    kind = "group-closed"


class DealUnavailable(Conflict):
    """Not on (inactive, outside its window) or sold out (its stock cap reached)."""

    kind = "deal-unavailable"


class AlreadyInGroup(Conflict):
    kind = "already-in-group"
