"""sourcing: rules, decision records, and the capacity index (issue 13)

`sourcing_rule`: the configurable strategies (JSON spec validated by o2o.fulfillment.sourcing.rules),
applied in `position` order; `sourcing_decision`: what the sourcing engine decided for an order, with
every candidate ranked and its cost components ("why this store"); `ix_fulfillment_location_created`:
a location's fulfilments since a moment (its capacity used this hour and today).

Revision ID: 0030
Revises: 0010
Create Date: 2026-11-29 08:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql, sqlite

import o2o.kernel.db

revision = '0030'
down_revision = '0010'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
UTC = o2o.kernel.db.UTCDateTime(timezone=True)
JSONDoc = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql').with_variant(sqlite.JSON(), 'sqlite')


def upgrade() -> None:
    op.create_table('sourcing_rule',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('spec', JSONDoc, nullable=False),
    sa.Column('created_at', UTC, nullable=False),
    sa.Column('updated_at', UTC, nullable=False),
    sa.Column('updated_by', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sourcing_rule')),
    sa.UniqueConstraint('name', name=op.f('uq_sourcing_rule_name'))
    )
    op.create_index(op.f('ix_sourcing_rule_position'), 'sourcing_rule', ['position'], unique=False)
    op.create_table('sourcing_decision',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('order_number', sa.String(length=24), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('optimal', sa.Boolean(), nullable=False),
    sa.Column('total_fen', sa.Integer(), nullable=False),
    sa.Column('record', JSONDoc, nullable=False),
    sa.Column('created_at', UTC, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sourcing_decision'))
    )
    op.create_index('ix_sourcing_decision_order', 'sourcing_decision', ['order_number', 'id'], unique=False)
    op.create_index('ix_fulfillment_location_created', 'fulfillment_order', ['location_id', 'created_at'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_fulfillment_location_created', table_name='fulfillment_order')
    op.drop_index('ix_sourcing_decision_order', table_name='sourcing_decision')
    op.drop_table('sourcing_decision')
    op.drop_index(op.f('ix_sourcing_rule_position'), table_name='sourcing_rule')
    op.drop_table('sourcing_rule')
