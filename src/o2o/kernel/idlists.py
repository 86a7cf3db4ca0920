"""A list of ids (or other values) bound as ONE parameter of a statement built once.

An expanding IN (`col.in_(bindparam(..., expanding=True))`) renders the statement again and binds each
value on every execution; on the hot path (placing an order reads stock and capacity at ~40 locations)
that cost more than the query itself. Here PostgreSQL gets an array (`col = ANY(:ids)`) and SQLite a JSON
array it reads with json_each (`col IN (SELECT value FROM json_each(:ids))`); both use the column's index.
Build the statement per dialect once (`member_of` gives both clauses), bind with `bound`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson
from sqlalchemy import BigInteger, ColumnElement, String, any_, bindparam, func, select
from sqlalchemy.dialects import postgresql

DIALECTS = ("postgresql", "sqlite")


def member_of(column: Any, name: str, type_: Any = None) -> dict[str, ColumnElement[bool]]:
    """Per dialect: `column` is one of the values bound as `name` (ids as BIGINT unless `type_`)."""
    return {
        "postgresql": column == any_(bindparam(name, type_=postgresql.ARRAY(type_ or BigInteger()))),
        "sqlite": column.in_(select(func.json_each(bindparam(name, type_=String())).table_valued("value").c.value)),
    }


def bound(dialect: str, values: Iterable[Any]) -> Any:
    """The parameter's value for `dialect`: a list for PostgreSQL, its JSON text for SQLite."""
    return orjson.dumps(list(values)).decode() if dialect == "sqlite" else list(values)
