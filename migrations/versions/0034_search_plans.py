"""product search: an index of how names start, for suggestions on PostgreSQL

`ix_product_search_start` (PostgreSQL only; SQLite's FTS5 needs none): the first 16 characters of
`product_search.terms` (text_pattern_ops), so that the suggestions whose name starts with the words
(`left(terms, 16) LIKE ' s%'`) are found without testing every product's vector
(o2o.catalog.search.repository.PostgresSearch.suggest). Not partial: the searches say
`active IS true`, which PostgreSQL does not take as proving a `WHERE active` index predicate.

A higher statistics target on `tokens` was tried and left out: it made prefix estimates right but
every plan 0.4 ms slower to make (10,000 common lexemes scanned per match clause); the search
statements no longer depend on those estimates.

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

START_CHARS = 16  # o2o.catalog.search.repository.START_CHARS


def upgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        return
    op.execute(f"CREATE INDEX ix_product_search_start ON product_search (left(terms, {START_CHARS}) text_pattern_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        return
    op.execute("DROP INDEX IF EXISTS ix_product_search_start")
