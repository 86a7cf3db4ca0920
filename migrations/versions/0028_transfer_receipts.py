"""transfer receipts counted per line, their discrepancies, and batches of planned transfers

- `transfer_request`: `received_quantity` (good units taken into stock) and `damaged_quantity` (set
  aside) of the receipt; the status `received_with_difference` (the column widens to 24 characters);
  `batch_id`, the back-office batch that planned it.
- `transfer_batch`: many transfer requests planned at once; `key` unique (creating it is idempotent).
- `transfer_discrepancy`: a receipt that counted other than what was sent: missing (short), extra
  (over), damaged; open -> investigated -> resolved (written_off / found / charged_to_carrier).

Revision ID: 0028
Revises: 0007
Create Date: 2026-11-29 07:45:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import o2o.kernel.db

revision = '0028'
down_revision = '0007'  # transfer_request's own branch (0007 revises 0005)
branch_labels = None
depends_on = None

BIG = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
WHEN = o2o.kernel.db.UTCDateTime(timezone=True)
OLD_STATUS = "status in ('requested','sent','received','rejected')"
NEW_STATUS = "status in ('requested','sent','received','received_with_difference','rejected')"


def upgrade() -> None:
    op.create_table('transfer_batch',
    sa.Column('id', BIG, autoincrement=True, nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('origin', sa.String(length=12), nullable=False),
    sa.Column('lines', sa.Integer(), nullable=False),
    sa.Column('units', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', WHEN, nullable=False),
    sa.CheckConstraint("origin in ('manual','csv','rebalance')", name=op.f('ck_transfer_batch_origin')),
    sa.CheckConstraint('lines > 0', name=op.f('ck_transfer_batch_lines_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transfer_batch')),
    sa.UniqueConstraint('key', name=op.f('uq_transfer_batch_key'))
    )
    with op.batch_alter_table('transfer_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('received_quantity', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('damaged_quantity', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('batch_id', BIG, nullable=True))
        batch_op.alter_column('status', existing_type=sa.String(length=12), type_=sa.String(length=24),
                              existing_nullable=False)
        batch_op.drop_constraint(batch_op.f('ck_transfer_request_status'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_transfer_request_status'), sa.text(NEW_STATUS))
        batch_op.create_foreign_key(batch_op.f('fk_transfer_request_batch_id_transfer_batch'), 'transfer_batch',
                                    ['batch_id'], ['id'])
        batch_op.create_index('ix_transfer_request_batch_id', ['batch_id'], unique=False)
    op.create_table('transfer_discrepancy',
    sa.Column('id', BIG, autoincrement=True, nullable=False),
    sa.Column('transfer_request_id', BIG, nullable=False),
    sa.Column('location_id', BIG, nullable=False),
    sa.Column('from_location_id', BIG, nullable=False),
    sa.Column('sku_id', BIG, nullable=False),
    sa.Column('sent', sa.Integer(), nullable=False),
    sa.Column('received', sa.Integer(), nullable=False),
    sa.Column('damaged', sa.Integer(), nullable=False),
    sa.Column('missing', sa.Integer(), nullable=False),
    sa.Column('extra', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('resolution', sa.String(length=20), nullable=True),
    sa.Column('found', sa.Integer(), nullable=False),
    sa.Column('opened_by', sa.String(length=80), nullable=False),
    sa.Column('opened_at', WHEN, nullable=False),
    sa.Column('receipt_note', sa.String(length=200), nullable=False),
    sa.Column('investigated_by', sa.String(length=80), nullable=True),
    sa.Column('investigated_at', WHEN, nullable=True),
    sa.Column('investigation_note', sa.String(length=500), nullable=False),
    sa.Column('resolved_by', sa.String(length=80), nullable=True),
    sa.Column('resolved_at', WHEN, nullable=True),
    sa.Column('resolution_note', sa.String(length=500), nullable=False),
    sa.CheckConstraint("status in ('open','investigated','resolved')", name=op.f('ck_transfer_discrepancy_status')),
    sa.CheckConstraint("resolution is null or resolution in ('written_off','found','charged_to_carrier')",
                       name=op.f('ck_transfer_discrepancy_resolution')),
    sa.CheckConstraint('received >= 0 and damaged >= 0 and missing >= 0 and extra >= 0',
                       name=op.f('ck_transfer_discrepancy_non_negative')),
    sa.CheckConstraint('missing = 0 or extra = 0', name=op.f('ck_transfer_discrepancy_missing_or_extra')),
    sa.ForeignKeyConstraint(['transfer_request_id'], ['transfer_request.id'],
                            name=op.f('fk_transfer_discrepancy_transfer_request_id_transfer_request')),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_transfer_discrepancy_location_id_location')),
    sa.ForeignKeyConstraint(['from_location_id'], ['location.id'],
                            name=op.f('fk_transfer_discrepancy_from_location_id_location')),
    sa.ForeignKeyConstraint(['sku_id'], ['sku.id'], name=op.f('fk_transfer_discrepancy_sku_id_sku')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transfer_discrepancy')),
    sa.UniqueConstraint('transfer_request_id', name=op.f('uq_transfer_discrepancy_transfer_request_id'))
    )
    with op.batch_alter_table('transfer_discrepancy', schema=None) as batch_op:
        batch_op.create_index('ix_transfer_discrepancy_status', ['status', 'id'], unique=False)
        batch_op.create_index('ix_transfer_discrepancy_location_status', ['location_id', 'status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('transfer_discrepancy', schema=None) as batch_op:
        batch_op.drop_index('ix_transfer_discrepancy_location_status')
        batch_op.drop_index('ix_transfer_discrepancy_status')
    op.drop_table('transfer_discrepancy')
    op.execute("UPDATE transfer_request SET status = 'received' WHERE status = 'received_with_difference'")
    with op.batch_alter_table('transfer_request', schema=None) as batch_op:
        batch_op.drop_index('ix_transfer_request_batch_id')
        batch_op.drop_constraint(batch_op.f('fk_transfer_request_batch_id_transfer_batch'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('ck_transfer_request_status'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_transfer_request_status'), sa.text(OLD_STATUS))
        batch_op.alter_column('status', existing_type=sa.String(length=24), type_=sa.String(length=12),
                              existing_nullable=False)
        batch_op.drop_column('batch_id')
        batch_op.drop_column('damaged_quantity')
        batch_op.drop_column('received_quantity')
    op.drop_table('transfer_batch')
