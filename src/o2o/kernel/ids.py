"""Bounded numbers at the edge: every id fits the signed 64-bit columns of SQLite and PostgreSQL.

`Id` is used for every id in a body, a query and a path (an id beyond 2^63-1 would raise
OverflowError on SQLite and "bigint out of range" on PostgreSQL). A bad id in a body or a query is
a 422 naming the field; a bad id in a path names nothing that exists, so errors.install answers 404.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

MAX_ID = 2**63 - 1

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
