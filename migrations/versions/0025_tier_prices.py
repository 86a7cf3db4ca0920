"""tier prices and free store delivery on orders

`sales_order.tier_code`: the member's tier when the order was placed; `delivery_fee_waived_fen`: the
store-delivery fee the tier's free store delivery waived. `order_line.list_price_fen` / `price_tier`:
the list price and the tier when the member's tier price replaced it (shown as 黄金会员价).

Revision ID: 0025
Revises: 0010
Create Date: 2026-11-29 02:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0025'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('sales_order') as batch:
        batch.add_column(sa.Column('tier_code', sa.String(length=16), nullable=True))
        batch.add_column(sa.Column('delivery_fee_waived_fen', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('order_line') as batch:
        batch.add_column(sa.Column('list_price_fen', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('price_tier', sa.String(length=16), nullable=True))


def downgrade() -> None:
    # plain DROP COLUMN (SQLite 3.35+ and PostgreSQL), not a batch rebuild: other tables reference
    # sales_order and order_line, and SQLite refuses to drop a referenced table during a rebuild
    for table, column in (('order_line', 'price_tier'), ('order_line', 'list_price_fen'),
                          ('sales_order', 'delivery_fee_waived_fen'), ('sales_order', 'tier_code')):
        op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')
