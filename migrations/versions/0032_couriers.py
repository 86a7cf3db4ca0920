"""couriers: same-city deliveries, their platform attempts and status history (issue 13)

`courier_delivery`: one per store-delivery fulfilment (the current platform, its order id, status, fee,
tip, the rider; the rider's name and phone sealed like other personal data); `courier_attempt`: every try
at a platform (`origin_id` unique: the platform's idempotency key); `courier_history`: append-only.

Revision ID: 0032
Revises: 0010
Create Date: 2026-11-29 11:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import o2o.kernel.db

revision = '0032'
down_revision = '0010'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
UTC = o2o.kernel.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table('courier_delivery',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('fulfillment_id', BigId, nullable=False),
    sa.Column('order_id', BigId, nullable=False),
    sa.Column('order_number', sa.String(length=24), nullable=False),
    sa.Column('location_id', BigId, nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('provider', sa.String(length=40), nullable=True),
    sa.Column('origin_id', sa.String(length=64), nullable=True),
    sa.Column('platform_order_id', sa.String(length=64), nullable=True),
    sa.Column('fee_fen', sa.Integer(), nullable=False),
    sa.Column('tip_fen', sa.Integer(), nullable=False),
    sa.Column('distance_m', sa.Integer(), nullable=False),
    sa.Column('eta_minutes', sa.Integer(), nullable=True),
    sa.Column('rider_id', sa.String(length=40), nullable=True),
    sa.Column('rider_name', sa.Text(), nullable=True),
    sa.Column('rider_phone', sa.Text(), nullable=True),
    sa.Column('last_update_at', sa.Integer(), nullable=False),
    sa.Column('waiting_since', UTC, nullable=True),
    sa.Column('created_at', UTC, nullable=False),
    sa.Column('updated_at', UTC, nullable=False),
    sa.ForeignKeyConstraint(['fulfillment_id'], ['fulfillment_order.id'],
                            name=op.f('fk_courier_delivery_fulfillment_id_fulfillment_order')),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_courier_delivery_location_id_location')),
    sa.ForeignKeyConstraint(['order_id'], ['sales_order.id'], name=op.f('fk_courier_delivery_order_id_sales_order')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_courier_delivery')),
    sa.UniqueConstraint('fulfillment_id', name=op.f('uq_courier_delivery_fulfillment_id'))
    )
    op.create_index('ix_courier_delivery_status', 'courier_delivery', ['status', 'waiting_since'], unique=False)
    op.create_index(op.f('ix_courier_delivery_order_id'), 'courier_delivery', ['order_id'], unique=False)
    op.create_table('courier_attempt',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('delivery_id', BigId, nullable=False),
    sa.Column('provider', sa.String(length=40), nullable=False),
    sa.Column('origin_id', sa.String(length=64), nullable=False),
    sa.Column('platform_order_id', sa.String(length=64), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('fee_fen', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('cancel_requested', sa.Boolean(), nullable=False),
    sa.Column('created_at', UTC, nullable=False),
    sa.ForeignKeyConstraint(['delivery_id'], ['courier_delivery.id'],
                            name=op.f('fk_courier_attempt_delivery_id_courier_delivery')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_courier_attempt')),
    sa.UniqueConstraint('origin_id', name=op.f('uq_courier_attempt_origin_id'))
    )
    op.create_index(op.f('ix_courier_attempt_delivery_id'), 'courier_attempt', ['delivery_id'], unique=False)
    op.create_table('courier_history',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('delivery_id', BigId, nullable=False),
    sa.Column('provider', sa.String(length=40), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('at', UTC, nullable=False),
    sa.ForeignKeyConstraint(['delivery_id'], ['courier_delivery.id'],
                            name=op.f('fk_courier_history_delivery_id_courier_delivery')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_courier_history'))
    )
    op.create_index(op.f('ix_courier_history_delivery_id'), 'courier_history', ['delivery_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_courier_history_delivery_id'), table_name='courier_history')
    op.drop_table('courier_history')
    op.drop_index(op.f('ix_courier_attempt_delivery_id'), table_name='courier_attempt')
    op.drop_table('courier_attempt')
    op.drop_index(op.f('ix_courier_delivery_order_id'), table_name='courier_delivery')
    op.drop_index('ix_courier_delivery_status', table_name='courier_delivery')
    op.drop_table('courier_delivery')
