"""dev messages

The dev SMS inbox in the database (`dev_message`), so `/dev/inbox` shows what any process sent
(`o2o serve --workers 2` plus `o2o worker`). Dev only; phone and text sealed (they were only in
memory before: nothing to carry over); rows older than a day are purged by the worker.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 22:40:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import o2o.kernel.db

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
UTC = o2o.kernel.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table('dev_message',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('dedupe_key', sa.String(length=120), nullable=False),
    sa.Column('phone', sa.Text(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('sent_at', UTC, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dev_message')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_dev_message_dedupe_key'))
    )
    op.create_index('ix_dev_message_sent_at', 'dev_message', ['sent_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_dev_message_sent_at', table_name='dev_message')
    op.drop_table('dev_message')
