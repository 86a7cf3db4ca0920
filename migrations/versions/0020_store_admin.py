"""stores editable from the back-office

`location.online_paused`: a store whose online orders are paused (a busy day, a fridge broken) takes no
new online orders: routing leaves it out of the candidates, its till and its open orders go on.
`ix_sales_order_paid_at`: the dashboard's figures are orders paid in a period (GMV by day, modes, top
stores): an index on paid_at lets the database read only the period's rows.

Revision ID: 0020
Revises: 0010
Create Date: 2026-11-29 02:10:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ALTER TABLE ADD COLUMN on both databases (no SQLite table rebuild: other tables reference
    # location, and a column with a constant default needs none)
    op.add_column('location', sa.Column('online_paused', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_index('ix_sales_order_paid_at', 'sales_order', ['paid_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_sales_order_paid_at', table_name='sales_order')
    op.execute('ALTER TABLE location DROP COLUMN online_paused')  # SQLite 3.35+ and PostgreSQL
