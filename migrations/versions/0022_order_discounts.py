"""discounts on orders: per line and the bill's explanation

`order_line.discount_fen`: the goods discount of the order's promotions and coupons that landed on the
line, in whole fen (a partial return refunds a line's paid amount split over its units by largest
remainder). `order_discount`: one row per applied offer ("P12" promotion, "C345" coupon, "points"),
with its kind, its label as the bill shows it ("满200减30") and the amount it took off;
`sales_order.discount_fen` is their sum (goods + delivery discounts + points).

Revision ID: 0022
Revises: 0010
Create Date: 2026-11-29 05:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0010'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    with op.batch_alter_table('order_line') as batch:
        batch.add_column(sa.Column('discount_fen', sa.Integer(), server_default=sa.text('0'), nullable=False))
    op.create_table('order_discount',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('order_id', BigId, nullable=False),
    sa.Column('key', sa.String(length=24), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('label_zh', sa.String(length=80), nullable=False),
    sa.Column('label_en', sa.String(length=120), nullable=False),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['sales_order.id'], name=op.f('fk_order_discount_order_id_sales_order')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_discount'))
    )
    op.create_index('ix_order_discount_order_id', 'order_discount', ['order_id'], unique=False)


def downgrade() -> None:
    # plain DROP COLUMN (SQLite 3.35+ and PostgreSQL), not a batch rebuild: other tables reference
    # order_line, and SQLite refuses to drop a referenced table during a rebuild
    op.drop_index('ix_order_discount_order_id', table_name='order_discount')
    op.drop_table('order_discount')
    op.drop_column('order_line', 'discount_fen')
