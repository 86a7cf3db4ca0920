"""payment providers

WeChat Pay and Alipay: the provider's handle of a started payment on `payment` (prepay_id / code_url /
qr_code), refunds with the provider's refund id (`payment_refund`), and reconciliation of the providers'
daily statements (`payment_statement`, `payment_statement_difference`).

Revision ID: 0013
Revises: 0010
Create Date: 2026-11-29 01:50:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import o2o.kernel.db

revision = '0013'
down_revision = '0010'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
UTC = o2o.kernel.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table('payment') as batch:
        batch.add_column(sa.Column('prepay_id', sa.String(length=256), nullable=True))
    op.create_table('payment_refund',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('payment_id', BigId, nullable=False),
    sa.Column('out_refund_no', sa.String(length=64), nullable=False),
    sa.Column('provider_refund_id', sa.String(length=64), nullable=True),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', UTC, nullable=False),
    sa.Column('updated_at', UTC, nullable=False),
    sa.CheckConstraint('amount_fen > 0', name=op.f('ck_payment_refund_amount_positive')),
    sa.ForeignKeyConstraint(['payment_id'], ['payment.id'], name=op.f('fk_payment_refund_payment_id_payment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_refund')),
    sa.UniqueConstraint('out_refund_no', name=op.f('uq_payment_refund_out_refund_no'))
    )
    op.create_index('ix_payment_refund_payment', 'payment_refund', ['payment_id'], unique=False)
    op.create_table('payment_statement',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('provider', sa.String(length=20), nullable=False),
    sa.Column('bill_date', sa.Date(), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('differences', sa.Integer(), nullable=False),
    sa.Column('imported_by', sa.String(length=80), nullable=False),
    sa.Column('imported_at', UTC, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_statement'))
    )
    op.create_index('ix_payment_statement_provider_date', 'payment_statement', ['provider', 'bill_date'],
                    unique=False)
    op.create_table('payment_statement_difference',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('statement_id', BigId, nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('record', sa.String(length=8), nullable=False),
    sa.Column('out_trade_no', sa.String(length=64), nullable=False),
    sa.Column('out_refund_no', sa.String(length=64), nullable=True),
    sa.Column('ours_fen', sa.BigInteger(), nullable=True),
    sa.Column('theirs_fen', sa.BigInteger(), nullable=True),
    sa.Column('our_status', sa.String(length=16), nullable=True),
    sa.Column('their_status', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['statement_id'], ['payment_statement.id'],
                            name=op.f('fk_payment_statement_difference_statement_id_payment_statement')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_statement_difference'))
    )
    op.create_index('ix_payment_statement_difference_statement', 'payment_statement_difference', ['statement_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_payment_statement_difference_statement', table_name='payment_statement_difference')
    op.drop_table('payment_statement_difference')
    op.drop_index('ix_payment_statement_provider_date', table_name='payment_statement')
    op.drop_table('payment_statement')
    op.drop_index('ix_payment_refund_payment', table_name='payment_refund')
    op.drop_table('payment_refund')
    with op.batch_alter_table('payment') as batch:
        batch.drop_column('prepay_id')
