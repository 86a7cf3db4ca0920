"""returns (reverse logistics)

`return_request` (a return of units of an order, online or till: how it comes back, at which store, its
status, reason, refund destination and amount, the times from request to refund), `return_line` (units per
order line and what the inspection found: resellable, damaged), `return_tally` (per order line: units taken
by returns and units/fen refunded, bounded by CHECKs), `return_refund` (each refund made), `return_photo`
(the customer's photos), `store_credit` (a customer's credit balance) and `return_history` (append-only).

Revision ID: 0027
Revises: 0010
Create Date: 2026-11-29 07:40:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import o2o.kernel.db

revision = '0027'
down_revision = '0010'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
UTC = o2o.kernel.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table('store_credit',
    sa.Column('customer_id', BigId, nullable=False),
    sa.Column('balance_fen', sa.Integer(), nullable=False),
    sa.Column('updated_at', UTC, nullable=False),
    sa.CheckConstraint('balance_fen >= 0', name=op.f('ck_store_credit_balance_non_negative')),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_store_credit_customer_id_customer')),
    sa.PrimaryKeyConstraint('customer_id', name=op.f('pk_store_credit'))
    )
    op.create_table('return_request',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('number', sa.String(length=24), nullable=True),
    sa.Column('order_id', BigId, nullable=False),
    sa.Column('order_number', sa.String(length=24), nullable=False),
    sa.Column('customer_id', BigId, nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('sold_location_id', BigId, nullable=False),
    sa.Column('method', sa.String(length=12), nullable=False),
    sa.Column('preferred_location_id', BigId, nullable=True),
    sa.Column('location_id', BigId, nullable=True),
    sa.Column('pickup_status', sa.String(length=16), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason_code', sa.String(length=24), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('refund_to', sa.String(length=16), nullable=False),
    sa.Column('refund_fen', sa.Integer(), nullable=False),
    sa.Column('requested_by', sa.String(length=80), nullable=False),
    sa.Column('decision_note', sa.String(length=300), nullable=False),
    sa.Column('requested_at', UTC, nullable=False),
    sa.Column('received_at', UTC, nullable=True),
    sa.Column('refunded_at', UTC, nullable=True),
    sa.Column('closed_at', UTC, nullable=True),
    sa.CheckConstraint('refund_fen >= 0', name=op.f('ck_return_request_refund_non_negative')),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_return_request_customer_id_customer')),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_return_request_location_id_location')),
    sa.ForeignKeyConstraint(['order_id'], ['sales_order.id'], name=op.f('fk_return_request_order_id_sales_order')),
    sa.ForeignKeyConstraint(['preferred_location_id'], ['location.id'], name=op.f('fk_return_request_preferred_location_id_location')),
    sa.ForeignKeyConstraint(['sold_location_id'], ['location.id'], name=op.f('fk_return_request_sold_location_id_location')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_return_request')),
    sa.UniqueConstraint('number', name=op.f('uq_return_request_number'))
    )
    op.create_index('ix_return_request_customer', 'return_request', ['customer_id', 'requested_at'], unique=False)
    op.create_index('ix_return_request_location_status', 'return_request', ['location_id', 'status'], unique=False)
    op.create_index(op.f('ix_return_request_order_id'), 'return_request', ['order_id'], unique=False)
    op.create_index(op.f('ix_return_request_order_number'), 'return_request', ['order_number'], unique=False)
    op.create_index('ix_return_request_status_requested', 'return_request', ['status', 'requested_at'], unique=False)
    op.create_table('return_history',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('return_id', BigId, nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('at', UTC, nullable=False),
    sa.ForeignKeyConstraint(['return_id'], ['return_request.id'], name=op.f('fk_return_history_return_id_return_request')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_return_history'))
    )
    op.create_index(op.f('ix_return_history_return_id'), 'return_history', ['return_id'], unique=False)
    op.create_table('return_photo',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('return_id', BigId, nullable=False),
    sa.Column('content_type', sa.String(length=20), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('at', UTC, nullable=False),
    sa.CheckConstraint("content_type in ('image/jpeg', 'image/png', 'image/webp')", name=op.f('ck_return_photo_content_type')),
    sa.ForeignKeyConstraint(['return_id'], ['return_request.id'], name=op.f('fk_return_photo_return_id_return_request')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_return_photo'))
    )
    op.create_index(op.f('ix_return_photo_return_id'), 'return_photo', ['return_id'], unique=False)
    op.create_table('return_refund',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('return_id', BigId, nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('tender_id', BigId, nullable=True),
    sa.Column('reference', sa.String(length=64), nullable=True),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('at', UTC, nullable=False),
    sa.CheckConstraint('amount_fen > 0', name=op.f('ck_return_refund_amount_positive')),
    sa.ForeignKeyConstraint(['return_id'], ['return_request.id'], name=op.f('fk_return_refund_return_id_return_request')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_return_refund'))
    )
    op.create_index(op.f('ix_return_refund_return_id'), 'return_refund', ['return_id'], unique=False)
    op.create_table('return_line',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('return_id', BigId, nullable=False),
    sa.Column('order_line_id', BigId, nullable=False),
    sa.Column('sku_id', BigId, nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('resellable', sa.Integer(), nullable=False),
    sa.Column('damaged', sa.Integer(), nullable=False),
    sa.Column('refund_fen', sa.Integer(), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_return_line_quantity_positive')),
    sa.CheckConstraint('refund_fen >= 0', name=op.f('ck_return_line_refund_non_negative')),
    sa.CheckConstraint('resellable >= 0 AND damaged >= 0 AND resellable + damaged <= quantity', name=op.f('ck_return_line_inspected_within_quantity')),
    sa.ForeignKeyConstraint(['order_line_id'], ['order_line.id'], name=op.f('fk_return_line_order_line_id_order_line')),
    sa.ForeignKeyConstraint(['return_id'], ['return_request.id'], name=op.f('fk_return_line_return_id_return_request')),
    sa.ForeignKeyConstraint(['sku_id'], ['sku.id'], name=op.f('fk_return_line_sku_id_sku')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_return_line'))
    )
    op.create_index(op.f('ix_return_line_order_line_id'), 'return_line', ['order_line_id'], unique=False)
    op.create_index(op.f('ix_return_line_return_id'), 'return_line', ['return_id'], unique=False)
    op.create_table('return_tally',
    sa.Column('order_line_id', BigId, nullable=False),
    sa.Column('order_id', BigId, nullable=False),
    sa.Column('bought', sa.Integer(), nullable=False),
    sa.Column('paid_fen', sa.Integer(), nullable=False),
    sa.Column('taken', sa.Integer(), nullable=False),
    sa.Column('refunded_units', sa.Integer(), nullable=False),
    sa.Column('refunded_fen', sa.Integer(), nullable=False),
    sa.CheckConstraint('refunded_fen >= 0 AND refunded_fen <= paid_fen', name=op.f('ck_return_tally_refunded_within_paid')),
    sa.CheckConstraint('refunded_units >= 0 AND refunded_units <= bought', name=op.f('ck_return_tally_refunded_within_bought')),
    sa.CheckConstraint('taken >= 0 AND taken <= bought', name=op.f('ck_return_tally_taken_within_bought')),
    sa.ForeignKeyConstraint(['order_id'], ['sales_order.id'], name=op.f('fk_return_tally_order_id_sales_order')),
    sa.ForeignKeyConstraint(['order_line_id'], ['order_line.id'], name=op.f('fk_return_tally_order_line_id_order_line')),
    sa.PrimaryKeyConstraint('order_line_id', name=op.f('pk_return_tally'))
    )
    op.create_index(op.f('ix_return_tally_order_id'), 'return_tally', ['order_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_return_tally_order_id'), table_name='return_tally')
    op.drop_table('return_tally')
    op.drop_index(op.f('ix_return_line_return_id'), table_name='return_line')
    op.drop_index(op.f('ix_return_line_order_line_id'), table_name='return_line')
    op.drop_table('return_line')
    op.drop_index(op.f('ix_return_refund_return_id'), table_name='return_refund')
    op.drop_table('return_refund')
    op.drop_index(op.f('ix_return_photo_return_id'), table_name='return_photo')
    op.drop_table('return_photo')
    op.drop_index(op.f('ix_return_history_return_id'), table_name='return_history')
    op.drop_table('return_history')
    op.drop_index('ix_return_request_status_requested', table_name='return_request')
    op.drop_index(op.f('ix_return_request_order_number'), table_name='return_request')
    op.drop_index(op.f('ix_return_request_order_id'), table_name='return_request')
    op.drop_index('ix_return_request_location_status', table_name='return_request')
    op.drop_index('ix_return_request_customer', table_name='return_request')
    op.drop_table('return_request')
    op.drop_table('store_credit')
