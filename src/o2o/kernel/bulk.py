"""Many rows into a table in ONE statement, on both databases (bulk writers: a till's offline upload).

PostgreSQL: `INSERT INTO t (a, b, ...) SELECT a, b, ... FROM json_to_recordset(CAST(:rows AS json)) AS
x(a type, b type, ...)`: one parameter (the rows as one JSON text, made by the C encoder), whatever the
number of rows. The alternatives cost more than the database's own work: SQLAlchemy's executemany on
psycopg 3 sends a prepared statement per row (~50 us of client work a row), its multi-row VALUES for
RETURNING has psycopg parse a query text of rows x columns placeholders (~35 us a placeholder), and
unnest() of one array per column has psycopg check every element with a regular expression.
SQLite (in-process, no round trips): the statement's executemany.

Values go to the driver as they are: column types' bind processing (TypeDecorators) does not run on
PostgreSQL, so a caller passes what the column stores (timezone-aware datetimes, plain values) and must
not use this for sealed (encrypted) columns other than NULL.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Table, text
from sqlalchemy.sql.elements import TextClause


@lru_cache(maxsize=64)
def _from_json(table: Table, columns: tuple[str, ...], returning: tuple[str, ...], dialect: Any) -> TextClause:
    names = ", ".join(f'"{c}"' for c in columns)
    record = ", ".join(f'"{c}" {getattr(table.c[c].type, "impl", table.c[c].type).compile(dialect=dialect)}'
                       for c in columns)
    sql = (f'INSERT INTO "{table.name}" ({names}) SELECT {names} FROM json_to_recordset(CAST(:rows AS json)) '
           f"AS x({record})" + (f" RETURNING {', '.join(returning)}" if returning else ""))
    return text(sql)


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a bulk insert")
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not a column value")


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]],
                returning: Sequence[str] = ()) -> list[tuple]:
    """Insert `rows` (dicts with the same keys) into `table`; with `returning`, the rows' values of those
    columns, in the order of `rows` (PostgreSQL: matched on the first returned column, which must be a
    unique value the caller gave, e.g. an order number)."""
    if not rows:
        return []
    columns = tuple(rows[0])
    if conn.dialect.name != "postgresql":
        stmt = table.insert()
        if returning:
            stmt = stmt.returning(*(table.c[c] for c in returning), sort_by_parameter_order=True)
            return [tuple(r) for r in conn.execute(stmt, list(rows))]
        conn.execute(stmt, list(rows))
        return []
    stmt = _from_json(table, columns, tuple(returning), conn.dialect)
    result = conn.execute(stmt, {"rows": json.dumps(list(rows), default=_json_value, ensure_ascii=False)})
    if not returning:
        return []
    got = {r[0]: tuple(r) for r in result}
    key = returning[0]
    return [got[r[key]] for r in rows]
