"""stock lines flagged for reconciliation (offline till sales)

Goods a till sold while offline were physically sold: when such a sale takes a stock line below what
the count said, the sale is kept, on hand stops at what online orders reserved (never below: the
`reserved <= on_hand` and `on_hand >= 0` checks stay), the difference goes into the ledger as an
adjustment, and the line is flagged until the next count: `stock.oversold` (units sold beyond the count
since it was last counted) and `stock.flagged_at` (when it was first flagged).

Revision ID: 0026
Revises: 0010
Create Date: 2026-11-29 07:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0026'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ADD COLUMN (no batch rebuild: other tables reference stock's location and sku)
    op.add_column('stock', sa.Column('oversold', sa.Integer(), nullable=False, server_default='0'))
    op.add_column('stock', sa.Column('flagged_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    for column in ('flagged_at', 'oversold'):
        op.execute(f'ALTER TABLE stock DROP COLUMN {column}')
