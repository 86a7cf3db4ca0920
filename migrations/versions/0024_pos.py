"""point of sale: terminals, till sessions, cash moves, sales and tenders

`pos_terminal` (a till at a store, signing in with an iam API key), `till_session` (a till opened
with a float and closed with the counted cash; `open_terminal_id` is unique and set only while open,
so a terminal has one open session at most), `till_cash_move` (cash in/out/refund with a reason),
`pos_sale` (an order rung up at a till, with the till-generated id unique per terminal) and
`pos_tender` (how a sale was paid: several tenders per order, refunds never past the amount).

Revision ID: 0024
Revises: 0010
Create Date: 2026-11-29 07:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import o2o.kernel.db

revision = '0024'
down_revision = '0010'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
UTC = o2o.kernel.db.UTCDateTime(timezone=True)
JSONDoc = o2o.kernel.db.JSONDoc


def upgrade() -> None:
    op.create_table('pos_terminal',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('location_id', BigId, nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('api_key_id', BigId, nullable=True),
    sa.Column('created_at', UTC, nullable=False),
    sa.Column('disabled_at', UTC, nullable=True),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_pos_terminal_location_id_location')),
    sa.ForeignKeyConstraint(['api_key_id'], ['api_key.id'], name=op.f('fk_pos_terminal_api_key_id_api_key')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pos_terminal')),
    sa.UniqueConstraint('location_id', 'code', name='uq_pos_terminal_location_code'),
    sa.UniqueConstraint('api_key_id', name=op.f('uq_pos_terminal_api_key_id'))
    )
    op.create_index(op.f('ix_pos_terminal_location_id'), 'pos_terminal', ['location_id'], unique=False)
    op.create_table('till_session',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('terminal_id', BigId, nullable=False),
    sa.Column('location_id', BigId, nullable=False),
    sa.Column('opened_by', sa.String(length=80), nullable=False),
    sa.Column('opened_at', UTC, nullable=False),
    sa.Column('float_fen', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('open_terminal_id', sa.Integer(), nullable=True),
    sa.Column('closed_by', sa.String(length=80), nullable=True),
    sa.Column('closed_at', UTC, nullable=True),
    sa.Column('counted', JSONDoc, nullable=True),
    sa.Column('expected', JSONDoc, nullable=True),
    sa.CheckConstraint('float_fen >= 0', name=op.f('ck_till_session_float_non_negative')),
    sa.ForeignKeyConstraint(['terminal_id'], ['pos_terminal.id'], name=op.f('fk_till_session_terminal_id_pos_terminal')),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_till_session_location_id_location')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_till_session')),
    sa.UniqueConstraint('open_terminal_id', name=op.f('uq_till_session_open_terminal_id'))
    )
    op.create_index(op.f('ix_till_session_terminal_id'), 'till_session', ['terminal_id'], unique=False)
    op.create_table('till_cash_move',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('session_id', BigId, nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('at', UTC, nullable=False),
    sa.CheckConstraint('amount_fen > 0', name=op.f('ck_till_cash_move_amount_positive')),
    sa.ForeignKeyConstraint(['session_id'], ['till_session.id'], name=op.f('fk_till_cash_move_session_id_till_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_till_cash_move'))
    )
    op.create_index(op.f('ix_till_cash_move_session_id'), 'till_cash_move', ['session_id'], unique=False)
    op.create_table('pos_sale',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('terminal_id', BigId, nullable=False),
    sa.Column('till_sale_id', sa.String(length=64), nullable=False),
    sa.Column('order_id', BigId, nullable=False),
    sa.Column('session_id', BigId, nullable=True),
    sa.Column('clerk', sa.String(length=80), nullable=False),
    sa.Column('sold_at', UTC, nullable=False),
    sa.Column('received_at', UTC, nullable=False),
    sa.Column('offline', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['terminal_id'], ['pos_terminal.id'], name=op.f('fk_pos_sale_terminal_id_pos_terminal')),
    sa.ForeignKeyConstraint(['order_id'], ['sales_order.id'], name=op.f('fk_pos_sale_order_id_sales_order')),
    sa.ForeignKeyConstraint(['session_id'], ['till_session.id'], name=op.f('fk_pos_sale_session_id_till_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pos_sale')),
    sa.UniqueConstraint('terminal_id', 'till_sale_id', name='uq_pos_sale_terminal_till_sale'),
    sa.UniqueConstraint('order_id', name=op.f('uq_pos_sale_order_id'))
    )
    op.create_index(op.f('ix_pos_sale_session_id'), 'pos_sale', ['session_id'], unique=False)
    op.create_table('pos_tender',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('order_id', BigId, nullable=False),
    sa.Column('sale_id', BigId, nullable=True),
    sa.Column('session_id', BigId, nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.Column('change_fen', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=True),
    sa.Column('refunded_fen', sa.Integer(), nullable=False),
    sa.Column('clerk', sa.String(length=80), nullable=False),
    sa.Column('created_at', UTC, nullable=False),
    sa.CheckConstraint('amount_fen > 0', name=op.f('ck_pos_tender_amount_positive')),
    sa.CheckConstraint('change_fen >= 0', name=op.f('ck_pos_tender_change_non_negative')),
    sa.CheckConstraint('refunded_fen >= 0 AND refunded_fen <= amount_fen',
                       name=op.f('ck_pos_tender_refunded_within_amount')),
    sa.ForeignKeyConstraint(['order_id'], ['sales_order.id'], name=op.f('fk_pos_tender_order_id_sales_order')),
    sa.ForeignKeyConstraint(['sale_id'], ['pos_sale.id'], name=op.f('fk_pos_tender_sale_id_pos_sale')),
    sa.ForeignKeyConstraint(['session_id'], ['till_session.id'], name=op.f('fk_pos_tender_session_id_till_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pos_tender'))
    )
    op.create_index(op.f('ix_pos_tender_order_id'), 'pos_tender', ['order_id'], unique=False)
    op.create_index(op.f('ix_pos_tender_session_id'), 'pos_tender', ['session_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_pos_tender_session_id'), table_name='pos_tender')
    op.drop_index(op.f('ix_pos_tender_order_id'), table_name='pos_tender')
    op.drop_table('pos_tender')
    op.drop_index(op.f('ix_pos_sale_session_id'), table_name='pos_sale')
    op.drop_table('pos_sale')
    op.drop_index(op.f('ix_till_cash_move_session_id'), table_name='till_cash_move')
    op.drop_table('till_cash_move')
    op.drop_index(op.f('ix_till_session_terminal_id'), table_name='till_session')
    op.drop_table('till_session')
    op.drop_index(op.f('ix_pos_terminal_location_id'), table_name='pos_terminal')
    op.drop_table('pos_terminal')
