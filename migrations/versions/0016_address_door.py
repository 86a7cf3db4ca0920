"""address.door: the door number (门牌号: building, unit, room) a shopper adds to a geocoded place,
sealed like the rest of the address (kernel.pii.Encrypted: text holding a token; NULL for addresses
from before).

Revision ID: 0016
Revises: 0010
Create Date: 2026-11-29 02:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('address') as batch:
        batch.add_column(sa.Column('door', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('address') as batch:
        batch.drop_column('door')
