"""SLA watch (issue 13): each fulfilment's promise and the watch's flags

`fulfillment_order.promised_at`: when the fulfilment must reach its mode's step (pickup ready, store
delivery delivered, parcel shipped), set when it is made at payment; `promise_met_at`: when it reached
that step; `due_at`: the promise while the fulfilment still waits for its step, NULL once reached or
cancelled (the watch's and the at-risk lists' index holds only waiting fulfilments); `at_risk_at` /
`late_at`: when the watch announced `fulfillment.at_risk` / `fulfillment.late` (once each). Fulfilments
made before this migration have no promise (the watch and the on-time rate leave them out).

Revision ID: 0033
Revises: 0010
Create Date: 2026-11-29 11:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import o2o.kernel.db

revision = '0033'
down_revision = '0010'
branch_labels = None
depends_on = None

UTC = o2o.kernel.db.UTCDateTime(timezone=True)
COLUMNS = ('promised_at', 'promise_met_at', 'due_at', 'at_risk_at', 'late_at')


def upgrade() -> None:
    for name in COLUMNS:
        op.add_column('fulfillment_order', sa.Column(name, UTC, nullable=True))
    op.create_index('ix_fulfillment_due', 'fulfillment_order', ['due_at'], unique=False)
    op.create_index('ix_fulfillment_location_due', 'fulfillment_order', ['location_id', 'due_at'], unique=False)
    op.create_index('ix_fulfillment_promised', 'fulfillment_order', ['promised_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_fulfillment_promised', table_name='fulfillment_order')
    op.drop_index('ix_fulfillment_location_due', table_name='fulfillment_order')
    op.drop_index('ix_fulfillment_due', table_name='fulfillment_order')
    with op.batch_alter_table('fulfillment_order') as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
