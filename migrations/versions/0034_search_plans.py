"""product search: statistics and a start index PostgreSQL plans suggestions with

PostgreSQL only (SQLite's FTS5 needs neither):
- `product_search.tokens` gets a statistics target of 1000 (from 100): the planner's most common
  lexemes then cover the pinyin prefixes shoppers type, so a prefix query's matches are estimated
  near what they are (`'zs':*` 282 -> 898 for 1,001; `'ji':* & 'jing':*` 60 -> 1,313 for 3,814 over
  35,000 products). It chooses between walking the best sellers (many matches) and the text index
  (few) by that estimate.
- `ix_product_search_start`: the first 16 characters of the terms (text_pattern_ops), for the
  suggestions whose name starts with the words (`left(terms, 16) LIKE ' s%'`) without testing every
  product's vector (not partial: the searches say `active IS true`, which does not prove `active`).

Revision ID: 0034
Revises: 0015
Create Date: 2026-11-29 11:00:00
"""
from __future__ import annotations

from alembic import op

revision = '0034'
down_revision = '0015'  # product_search is 0015's
branch_labels = None
depends_on = None

TOKENS_STATISTICS = 1000
START_CHARS = 16  # o2o.catalog.search.repository.START_CHARS


def upgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        return
    op.execute(f"ALTER TABLE product_search ALTER COLUMN tokens SET STATISTICS {TOKENS_STATISTICS}")
    op.execute(f"CREATE INDEX ix_product_search_start ON product_search (left(terms, {START_CHARS}) text_pattern_ops)")
    op.execute("ANALYZE product_search")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        return
    op.execute("DROP INDEX IF EXISTS ix_product_search_start")
    op.execute("ALTER TABLE product_search ALTER COLUMN tokens SET STATISTICS -1")
