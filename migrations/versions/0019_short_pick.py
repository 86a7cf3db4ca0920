"""picking progress and short picks on fulfilment lines

`fulfillment_line.picked`: units a clerk ticked as in the basket (saved, so every clerk at the store
sees the progress); `fulfillment_line.missing`: units the shelf did not have (a short pick). A short
pick moves the fulfilment to the status "short" (a value of the existing string column), resolved by
the customer accepting the partial order (lines reduced, the difference refunded) or by a cancel.

Revision ID: 0019
Revises: 0010
Create Date: 2026-11-29 02:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('fulfillment_line') as batch:
        batch.add_column(sa.Column('picked', sa.Integer(), server_default=sa.text('0'), nullable=False))
        batch.add_column(sa.Column('missing', sa.Integer(), server_default=sa.text('0'), nullable=False))


def downgrade() -> None:
    op.execute("UPDATE fulfillment_order SET status = 'picking' WHERE status = 'short'")
    with op.batch_alter_table('fulfillment_line') as batch:
        batch.drop_column('missing')
        batch.drop_column('picked')
