"""product search index, store phone

`product_search`: one row per product with its tokenised names (kernel.searchtext: Chinese
characters, English words, pinyin and initials suffixes, glossary words), the cheapest SKU price and
units sold, kept in step by catalog.search.service.reindex. The text index on it is each database's own:

- SQLite: an FTS5 table `product_search_fts` (unicode61 over the tokenised field, prefix indexes of 1-3
  characters) holding the terms of product_search (external content), kept in step by triggers;
- PostgreSQL: a stored generated column `tokens`, the tsvector of the tokens as they are
  (array_to_tsvector: no parser, dictionary or locale in between), with a GIN index: it serves
  `'牛奶' & 'niunai':*` queries, and rechecks read the stored vector instead of rebuilding it.

Rows for the products already in the database are built here, with the units of their paid orders. `location.phone`: a store's public
number, shown on the store cards.

Revision ID: 0015
Revises: 0010
Create Date: 2026-11-29 12:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0010'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
BATCH = 2000

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE product_search_fts USING fts5(terms, content='product_search', "
    "content_rowid='product_id', tokenize='unicode61 remove_diacritics 2', prefix='1 2 3')",
    "CREATE TRIGGER product_search_ai AFTER INSERT ON product_search BEGIN "
    "INSERT INTO product_search_fts(rowid, terms) VALUES (new.product_id, new.terms); END",
    "CREATE TRIGGER product_search_ad AFTER DELETE ON product_search BEGIN "
    "INSERT INTO product_search_fts(product_search_fts, rowid, terms) VALUES ('delete', old.product_id, old.terms); END",
    "CREATE TRIGGER product_search_au AFTER UPDATE OF terms ON product_search BEGIN "
    "INSERT INTO product_search_fts(product_search_fts, rowid, terms) VALUES ('delete', old.product_id, old.terms); "
    "INSERT INTO product_search_fts(rowid, terms) VALUES (new.product_id, new.terms); END",
]


def _backfill() -> None:
    from o2o.kernel.searchtext import product_terms

    conn = op.get_bind()
    prices = dict(conn.execute(sa.text(
        "select product_id, min(base_price_fen) from sku where active = :t group by product_id"), {"t": True}).all())
    sales = dict(conn.execute(sa.text(  # units on paid orders, as catalog.handlers counts them from now on
        "select s.product_id, sum(l.quantity) from order_line l join sales_order o on o.id = l.order_id "
        "join sku s on s.id = l.sku_id where o.paid_at is not null group by s.product_id")).all())
    rows = conn.execute(sa.text("select id, category_id, active, name_zh, name_en, brand from product order by id")).all()
    table = sa.table('product_search', sa.column('product_id'), sa.column('category_id'), sa.column('active'),
                     sa.column('terms'), sa.column('name_len'), sa.column('price_fen'), sa.column('sales'))
    for start in range(0, len(rows), BATCH):
        conn.execute(table.insert(), [
            dict(product_id=pid, category_id=cat, active=bool(active), terms=f" {product_terms(zh, en, brand)} ",
                 name_len=len(zh), price_fen=prices.get(pid), sales=int(sales.get(pid) or 0))
            for pid, cat, active, zh, en, brand in rows[start:start + BATCH]])


def upgrade() -> None:
    op.create_table('product_search',
    sa.Column('product_id', BigId, nullable=False),
    sa.Column('category_id', BigId, nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('terms', sa.Text(), nullable=False),
    sa.Column('name_len', sa.Integer(), nullable=False),
    sa.Column('price_fen', sa.Integer(), nullable=True),
    sa.Column('sales', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_product_search_product_id_product')),
    sa.ForeignKeyConstraint(['category_id'], ['category.id'], name=op.f('fk_product_search_category_id_category')),
    sa.PrimaryKeyConstraint('product_id', name=op.f('pk_product_search'))
    )
    with op.batch_alter_table('product_search', schema=None) as batch_op:
        batch_op.create_index('ix_product_search_sales', ['sales'], unique=False)
        batch_op.create_index('ix_product_search_category', ['category_id'], unique=False)
    op.add_column('location', sa.Column('phone', sa.String(length=32), nullable=False, server_default=''))
    if op.get_bind().dialect.name == 'sqlite':
        for statement in SQLITE_FTS:
            op.execute(statement)
    else:
        op.execute("ALTER TABLE product_search ADD COLUMN tokens tsvector "
                   "GENERATED ALWAYS AS (array_to_tsvector(string_to_array(btrim(terms), ' '))) STORED")
        op.execute("CREATE INDEX ix_product_search_tokens ON product_search USING gin (tokens)")
    _backfill()


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for name in ('product_search_au', 'product_search_ad', 'product_search_ai'):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS product_search_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_product_search_tokens")
        op.execute("ALTER TABLE product_search DROP COLUMN IF EXISTS tokens")
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("ALTER TABLE location DROP COLUMN phone")  # in place (SQLite >= 3.35): no table rebuild
    else:
        op.drop_column('location', 'phone')
    with op.batch_alter_table('product_search', schema=None) as batch_op:
        batch_op.drop_index('ix_product_search_category')
        batch_op.drop_index('ix_product_search_sales')
    op.drop_table('product_search')
