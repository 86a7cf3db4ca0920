"""transfer requests

A store asks another location (a store or a warehouse) for stock of one SKU: `transfer_request`
goes requested -> sent -> received, or requested -> rejected. The stock itself moves through the
ledger (transfer_out at the source when sent, transfer_in at the requester when received, both
with the ref `TRQ-<id>`); this table only records the request and who decided what, when.

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-25 07:58:02.161507
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import o2o.kernel.db

revision = '0007'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('transfer_request',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('from_location_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('to_location_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('sku_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('decision_note', sa.String(length=200), nullable=False),
    sa.Column('requested_by', sa.String(length=80), nullable=False),
    sa.Column('requested_at', o2o.kernel.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sa.String(length=80), nullable=True),
    sa.Column('decided_at', o2o.kernel.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('received_by', sa.String(length=80), nullable=True),
    sa.Column('received_at', o2o.kernel.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status in ('requested','sent','received','rejected')", name=op.f('ck_transfer_request_status')),
    sa.CheckConstraint('from_location_id <> to_location_id', name=op.f('ck_transfer_request_two_locations')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_transfer_request_quantity_positive')),
    sa.ForeignKeyConstraint(['from_location_id'], ['location.id'], name=op.f('fk_transfer_request_from_location_id_location')),
    sa.ForeignKeyConstraint(['sku_id'], ['sku.id'], name=op.f('fk_transfer_request_sku_id_sku')),
    sa.ForeignKeyConstraint(['to_location_id'], ['location.id'], name=op.f('fk_transfer_request_to_location_id_location')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transfer_request'))
    )
    with op.batch_alter_table('transfer_request', schema=None) as batch_op:
        batch_op.create_index('ix_transfer_request_from_status', ['from_location_id', 'status'], unique=False)
        batch_op.create_index('ix_transfer_request_to_status', ['to_location_id', 'status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('transfer_request', schema=None) as batch_op:
        batch_op.drop_index('ix_transfer_request_to_status')
        batch_op.drop_index('ix_transfer_request_from_status')
    op.drop_table('transfer_request')
