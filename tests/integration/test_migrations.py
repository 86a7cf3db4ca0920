"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from o2o.models import metadata

# each database's own text index on product_search (migration 0015) is not in the models: SQLite's FTS5
# table, PostgreSQL's generated tsvector column and its GIN index, and its start index (0034)
TEXT_INDEXES = ("product_search_fts", "ix_product_search_tokens", "ix_product_search_start")


def _not_a_text_index(name, type_, parent_names):  # type: ignore[no-untyped-def]
    if type_ == "column" and name == "tokens" and parent_names.get("table_name") == "product_search":
        return False
    return not (name or "").startswith(TEXT_INDEXES)


def test_migrations_match_the_models(fresh_db):
    with fresh_db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": _not_a_text_index})
        diff = compare_metadata(context, metadata)
    assert diff == []
