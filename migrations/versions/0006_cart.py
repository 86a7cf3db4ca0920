"""carts

Carts kept on the server: an anonymous cart is found by the SHA-256 of a random cookie token
(`token_hash`), a customer's by `customer_id`; exactly one of the two is set. `cart_line` holds one
row per (cart, SKU) with 1..999 units; quantities change by upsert, so concurrent adds lose nothing.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 08:10:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import o2o.kernel.db

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
UTC = o2o.kernel.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table('cart',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=True),
    sa.Column('customer_id', BigId, nullable=True),
    sa.Column('created_at', UTC, nullable=False),
    sa.Column('updated_at', UTC, nullable=False),
    sa.CheckConstraint('(token_hash IS NULL) <> (customer_id IS NULL)', name=op.f('ck_cart_one_owner')),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_cart_customer_id_customer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cart')),
    sa.UniqueConstraint('customer_id', name=op.f('uq_cart_customer_id')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_cart_token_hash'))
    )
    op.create_index('ix_cart_updated_at', 'cart', ['updated_at'], unique=False)
    op.create_table('cart_line',
    sa.Column('cart_id', BigId, nullable=False),
    sa.Column('sku_id', BigId, nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('added_at', UTC, nullable=False),
    sa.CheckConstraint('quantity > 0 AND quantity <= 999', name=op.f('ck_cart_line_quantity_range')),
    sa.ForeignKeyConstraint(['cart_id'], ['cart.id'], name=op.f('fk_cart_line_cart_id_cart'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sku_id'], ['sku.id'], name=op.f('fk_cart_line_sku_id_sku')),
    sa.PrimaryKeyConstraint('cart_id', 'sku_id', name=op.f('pk_cart_line'))
    )


def downgrade() -> None:
    op.drop_table('cart_line')
    op.drop_index('ix_cart_updated_at', table_name='cart')
    op.drop_table('cart')
