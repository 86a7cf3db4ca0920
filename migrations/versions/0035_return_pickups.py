"""courier pickups of returns: a courier delivery is a store delivery or a return's pickup

`courier_delivery.kind`: `delivery` (a store-delivery fulfilment, as before) or `pickup` (a courier
collects a return from the customer and brings it to a store, issue 11); `courier_delivery.return_id`:
the return a pickup carries (unique: one pickup per return); `courier_delivery.fulfillment_id` becomes
nullable (a pickup has no fulfilment).

SQLite cannot drop a NOT NULL in place: the table is rebuilt (rows copied through a side table, foreign
keys deferred until the transaction ends, as 0010 does for `customer`; its children keep their rows).

Revision ID: 0035
Revises: 0027, 0032
Create Date: 2026-11-29 14:40:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import o2o.kernel.db

revision = '0035'
down_revision = ('0027', '0032')  # return_request (0027) and courier_delivery (0032)
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
UTC = o2o.kernel.db.UTCDateTime(timezone=True)
OLD = ['id', 'fulfillment_id', 'order_id', 'order_number', 'location_id', 'status', 'round', 'provider',
       'origin_id', 'platform_order_id', 'fee_fen', 'tip_fen', 'distance_m', 'eta_minutes', 'rider_id',
       'rider_name', 'rider_phone', 'last_update_at', 'waiting_since', 'created_at', 'updated_at']


def _table(pickups: bool) -> list[sa.SchemaItem]:
    """courier_delivery as 0032 made it (pickups=False) or with this revision's columns (True)."""
    items: list[sa.SchemaItem] = [
        sa.Column('id', BigId, autoincrement=True, nullable=False),
        sa.Column('fulfillment_id', BigId, nullable=pickups),
    ]
    if pickups:
        items += [sa.Column('kind', sa.String(length=12), server_default='delivery', nullable=False),
                  sa.Column('return_id', BigId, nullable=True)]
    items += [
        sa.Column('order_id', BigId, nullable=False),
        sa.Column('order_number', sa.String(length=24), nullable=False),
        sa.Column('location_id', BigId, nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('round', sa.Integer(), nullable=False),
        sa.Column('provider', sa.String(length=40), nullable=True),
        sa.Column('origin_id', sa.String(length=64), nullable=True),
        sa.Column('platform_order_id', sa.String(length=64), nullable=True),
        sa.Column('fee_fen', sa.Integer(), nullable=False),
        sa.Column('tip_fen', sa.Integer(), nullable=False),
        sa.Column('distance_m', sa.Integer(), nullable=False),
        sa.Column('eta_minutes', sa.Integer(), nullable=True),
        sa.Column('rider_id', sa.String(length=40), nullable=True),
        sa.Column('rider_name', sa.Text(), nullable=True),
        sa.Column('rider_phone', sa.Text(), nullable=True),
        sa.Column('last_update_at', sa.Integer(), nullable=False),
        sa.Column('waiting_since', UTC, nullable=True),
        sa.Column('created_at', UTC, nullable=False),
        sa.Column('updated_at', UTC, nullable=False),
        sa.ForeignKeyConstraint(['fulfillment_id'], ['fulfillment_order.id'],
                                name=op.f('fk_courier_delivery_fulfillment_id_fulfillment_order')),
        sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_courier_delivery_location_id_location')),
        sa.ForeignKeyConstraint(['order_id'], ['sales_order.id'], name=op.f('fk_courier_delivery_order_id_sales_order')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_courier_delivery')),
        sa.UniqueConstraint('fulfillment_id', name=op.f('uq_courier_delivery_fulfillment_id')),
    ]
    if pickups:
        items += [sa.ForeignKeyConstraint(['return_id'], ['return_request.id'],
                                          name=op.f('fk_courier_delivery_return_id_return_request')),
                  sa.UniqueConstraint('return_id', name=op.f('uq_courier_delivery_return_id'))]
    return items


def _sqlite_rebuild(pickups: bool) -> None:
    op.execute('PRAGMA defer_foreign_keys = ON')  # until this transaction ends: the children keep their rows
    op.execute('CREATE TABLE _pickup_old_courier_delivery AS SELECT * FROM courier_delivery')
    op.drop_index('ix_courier_delivery_status', table_name='courier_delivery')
    op.drop_index(op.f('ix_courier_delivery_order_id'), table_name='courier_delivery')
    op.drop_table('courier_delivery')
    op.create_table('courier_delivery', *_table(pickups))
    op.create_index('ix_courier_delivery_status', 'courier_delivery', ['status', 'waiting_since'], unique=False)
    op.create_index(op.f('ix_courier_delivery_order_id'), 'courier_delivery', ['order_id'], unique=False)
    names = ', '.join(OLD)
    where = '' if pickups else " WHERE kind = 'delivery'"
    op.execute(f'INSERT INTO courier_delivery ({names}) SELECT {names} FROM _pickup_old_courier_delivery{where}')
    op.execute('DROP TABLE _pickup_old_courier_delivery')


def _drop_pickups() -> None:
    """Going back: a pickup has no fulfilment, which 0032's table cannot hold; its rows go with it."""
    pickups = 'SELECT id FROM courier_delivery WHERE kind = \'pickup\''
    op.execute(f'DELETE FROM courier_history WHERE delivery_id IN ({pickups})')
    op.execute(f'DELETE FROM courier_attempt WHERE delivery_id IN ({pickups})')


def upgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        _sqlite_rebuild(pickups=True)
        return
    op.add_column('courier_delivery', sa.Column('kind', sa.String(length=12), server_default='delivery',
                                                nullable=False))
    op.add_column('courier_delivery', sa.Column('return_id', BigId, nullable=True))
    op.create_foreign_key(op.f('fk_courier_delivery_return_id_return_request'), 'courier_delivery',
                          'return_request', ['return_id'], ['id'])
    op.create_unique_constraint(op.f('uq_courier_delivery_return_id'), 'courier_delivery', ['return_id'])
    op.alter_column('courier_delivery', 'fulfillment_id', existing_type=BigId, nullable=True)


def downgrade() -> None:
    _drop_pickups()
    if op.get_bind().dialect.name == 'sqlite':
        _sqlite_rebuild(pickups=False)
        return
    op.execute("DELETE FROM courier_delivery WHERE kind = 'pickup'")
    op.alter_column('courier_delivery', 'fulfillment_id', existing_type=BigId, nullable=False)
    op.drop_constraint(op.f('uq_courier_delivery_return_id'), 'courier_delivery', type_='unique')
    op.drop_constraint(op.f('fk_courier_delivery_return_id_return_request'), 'courier_delivery',
                      type_='foreignkey')
    op.drop_column('courier_delivery', 'return_id')
    op.drop_column('courier_delivery', 'kind')
