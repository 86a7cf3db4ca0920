"""group buying (拼团)

`groupbuy_deal` (an operator's deal: group size, hours to fill, modes and stores, window, stock cap in
portions and the portions handed out), `groupbuy_deal_item` (its bundle: SKU, quantity, group price),
`groupbuy_group` (a group opened on a deal: slots taken and paid, state, deadline) and
`groupbuy_member` (a shopper's slot and their order); `sales_order.held_for`: a paid order waits for
its group before fulfilment.

Revision ID: 0023
Revises: 0010
Create Date: 2026-11-29 05:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import o2o.kernel.db

revision = '0023'
down_revision = '0010'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
UTC = o2o.kernel.db.UTCDateTime(timezone=True)
JSONDoc = o2o.kernel.db.JSONDoc
ACTIVE = sa.text("status IN ('joined', 'paid')")


def upgrade() -> None:
    op.create_table('groupbuy_deal',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('title_zh', sa.String(length=80), nullable=False),
    sa.Column('title_en', sa.String(length=120), nullable=False),
    sa.Column('group_size', sa.Integer(), nullable=False),
    sa.Column('hours', sa.Integer(), nullable=False),
    sa.Column('modes', JSONDoc, nullable=False),
    sa.Column('location_ids', JSONDoc, nullable=False),
    sa.Column('starts_at', UTC, nullable=False),
    sa.Column('ends_at', UTC, nullable=False),
    sa.Column('stock_cap', sa.Integer(), nullable=False),
    sa.Column('sold', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', UTC, nullable=False),
    sa.Column('updated_at', UTC, nullable=False),
    sa.CheckConstraint('group_size >= 2', name=op.f('ck_groupbuy_deal_group_size_min')),
    sa.CheckConstraint('hours >= 1', name=op.f('ck_groupbuy_deal_hours_min')),
    sa.CheckConstraint('sold >= 0 AND sold <= stock_cap', name=op.f('ck_groupbuy_deal_sold_within_cap')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_groupbuy_deal'))
    )
    op.create_index('ix_groupbuy_deal_window', 'groupbuy_deal', ['active', 'ends_at'], unique=False)
    op.create_table('groupbuy_deal_item',
    sa.Column('deal_id', BigId, nullable=False),
    sa.Column('sku_id', BigId, nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('price_fen', sa.Integer(), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_groupbuy_deal_item_quantity_positive')),
    sa.CheckConstraint('price_fen >= 0', name=op.f('ck_groupbuy_deal_item_price_non_negative')),
    sa.ForeignKeyConstraint(['deal_id'], ['groupbuy_deal.id'],
                            name=op.f('fk_groupbuy_deal_item_deal_id_groupbuy_deal')),
    sa.ForeignKeyConstraint(['sku_id'], ['sku.id'], name=op.f('fk_groupbuy_deal_item_sku_id_sku')),
    sa.PrimaryKeyConstraint('deal_id', 'sku_id', name=op.f('pk_groupbuy_deal_item'))
    )
    op.create_table('groupbuy_group',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('deal_id', BigId, nullable=False),
    sa.Column('leader_id', BigId, nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('joined', sa.Integer(), nullable=False),
    sa.Column('paid', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('opened_at', UTC, nullable=False),
    sa.Column('deadline', UTC, nullable=False),
    sa.Column('closed_at', UTC, nullable=True),
    sa.CheckConstraint('joined >= 0 AND joined <= size', name=op.f('ck_groupbuy_group_joined_within_size')),
    sa.CheckConstraint('paid >= 0 AND paid <= joined', name=op.f('ck_groupbuy_group_paid_within_joined')),
    sa.ForeignKeyConstraint(['deal_id'], ['groupbuy_deal.id'], name=op.f('fk_groupbuy_group_deal_id_groupbuy_deal')),
    sa.ForeignKeyConstraint(['leader_id'], ['customer.id'], name=op.f('fk_groupbuy_group_leader_id_customer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_groupbuy_group'))
    )
    op.create_index('ix_groupbuy_group_deal', 'groupbuy_group', ['deal_id', 'status'], unique=False)
    op.create_index('ix_groupbuy_group_due', 'groupbuy_group', ['status', 'deadline'], unique=False)
    op.create_table('groupbuy_member',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('group_id', BigId, nullable=False),
    sa.Column('customer_id', BigId, nullable=False),
    sa.Column('order_number', sa.String(length=24), nullable=False),
    sa.Column('order_id', BigId, nullable=True),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('joined_at', UTC, nullable=False),
    sa.Column('paid_at', UTC, nullable=True),
    sa.Column('left_at', UTC, nullable=True),
    sa.ForeignKeyConstraint(['group_id'], ['groupbuy_group.id'], name=op.f('fk_groupbuy_member_group_id_groupbuy_group')),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_groupbuy_member_customer_id_customer')),
    sa.ForeignKeyConstraint(['order_id'], ['sales_order.id'], name=op.f('fk_groupbuy_member_order_id_sales_order')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_groupbuy_member')),
    sa.UniqueConstraint('order_id', name=op.f('uq_groupbuy_member_order_id')),
    sa.UniqueConstraint('order_number', name=op.f('uq_groupbuy_member_order_number'))
    )
    op.create_index(op.f('ix_groupbuy_member_group_id'), 'groupbuy_member', ['group_id'], unique=False)
    op.create_index('ix_groupbuy_member_customer', 'groupbuy_member', ['customer_id', 'joined_at'], unique=False)
    op.create_index('uq_groupbuy_member_active', 'groupbuy_member', ['group_id', 'customer_id'], unique=True,
                    sqlite_where=ACTIVE, postgresql_where=ACTIVE)
    op.add_column('sales_order', sa.Column('held_for', sa.String(length=40), nullable=True))


def downgrade() -> None:
    # plain DROP COLUMN (SQLite 3.35+ and PostgreSQL), not a batch rebuild of the referenced sales_order
    op.drop_column('sales_order', 'held_for')
    op.drop_index('uq_groupbuy_member_active', table_name='groupbuy_member')
    op.drop_index('ix_groupbuy_member_customer', table_name='groupbuy_member')
    op.drop_index(op.f('ix_groupbuy_member_group_id'), table_name='groupbuy_member')
    op.drop_table('groupbuy_member')
    op.drop_index('ix_groupbuy_group_due', table_name='groupbuy_group')
    op.drop_index('ix_groupbuy_group_deal', table_name='groupbuy_group')
    op.drop_table('groupbuy_group')
    op.drop_table('groupbuy_deal_item')
    op.drop_index('ix_groupbuy_deal_window', table_name='groupbuy_deal')
    op.drop_table('groupbuy_deal')
