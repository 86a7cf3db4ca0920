"""customer identities, merges, favorites and browsing

`customer_identity`: the ways a customer is recognised (phone, email, WeChat openid/unionid, Douyin
openid, POS card number, device id), each (kind, keyed lookup hash of the value) unique over all
customers, the value sealed. `customer.merged_into_id` marks a customer merged into another (a
tombstone); `customer_merge` says who merged whom, why, and how many rows moved per table.
`customer_favorite` (关注 of products and stores) and `customer_browsing` (the latest view per product).
Existing phones and emails are not copied into identities here: the service reads both.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 10:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import o2o.kernel.db

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
UTC = o2o.kernel.db.UTCDateTime(timezone=True)
KINDS = ("phone", "email", "wechat_openid", "wechat_unionid", "douyin_openid", "pos_card", "device")


def upgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':  # SQLite adds a NULL column with REFERENCES in place
        op.execute('ALTER TABLE customer ADD COLUMN merged_into_id INTEGER'
                   ' CONSTRAINT fk_customer_merged_into_id_customer REFERENCES customer (id)')
    else:
        op.add_column('customer', sa.Column('merged_into_id', BigId, nullable=True))
        op.create_foreign_key(op.f('fk_customer_merged_into_id_customer'), 'customer', 'customer',
                              ['merged_into_id'], ['id'])
    op.create_table('customer_identity',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('customer_id', BigId, nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('value_hash', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('verified_at', UTC, nullable=True),
    sa.Column('created_at', UTC, nullable=False),
    sa.Column('last_used_at', UTC, nullable=True),
    sa.CheckConstraint("kind IN (" + ", ".join(f"'{k}'" for k in KINDS) + ")",
                       name=op.f('ck_customer_identity_kind_known')),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_customer_identity_customer_id_customer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_identity')),
    sa.UniqueConstraint('kind', 'value_hash', name=op.f('uq_customer_identity_kind'))
    )
    op.create_index(op.f('ix_customer_identity_customer_id'), 'customer_identity', ['customer_id'], unique=False)
    op.create_table('customer_merge',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('survivor_id', BigId, nullable=False),
    sa.Column('merged_id', BigId, nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('actor', sa.String(length=120), nullable=False),
    sa.Column('moved', o2o.kernel.db.JSONDoc, nullable=False),
    sa.Column('created_at', UTC, nullable=False),
    sa.ForeignKeyConstraint(['merged_id'], ['customer.id'], name=op.f('fk_customer_merge_merged_id_customer')),
    sa.ForeignKeyConstraint(['survivor_id'], ['customer.id'], name=op.f('fk_customer_merge_survivor_id_customer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_merge')),
    sa.UniqueConstraint('merged_id', name=op.f('uq_customer_merge_merged_id'))
    )
    op.create_index(op.f('ix_customer_merge_survivor_id'), 'customer_merge', ['survivor_id'], unique=False)
    op.create_table('customer_favorite',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('customer_id', BigId, nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('target_id', BigId, nullable=False),
    sa.Column('created_at', UTC, nullable=False),
    sa.CheckConstraint("kind IN ('product', 'store')", name=op.f('ck_customer_favorite_kind_known')),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_customer_favorite_customer_id_customer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_favorite')),
    sa.UniqueConstraint('customer_id', 'kind', 'target_id', name=op.f('uq_customer_favorite_customer_id'))
    )
    op.create_table('customer_browsing',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('customer_id', BigId, nullable=False),
    sa.Column('product_id', BigId, nullable=False),
    sa.Column('viewed_at', UTC, nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_customer_browsing_customer_id_customer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_browsing')),
    sa.UniqueConstraint('customer_id', 'product_id', name=op.f('uq_customer_browsing_customer_id'))
    )
    op.create_index('ix_customer_browsing_recent', 'customer_browsing', ['customer_id', 'viewed_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_customer_browsing_recent', table_name='customer_browsing')
    op.drop_table('customer_browsing')
    op.drop_table('customer_favorite')
    op.drop_index(op.f('ix_customer_merge_survivor_id'), table_name='customer_merge')
    op.drop_table('customer_merge')
    op.drop_index(op.f('ix_customer_identity_customer_id'), table_name='customer_identity')
    op.drop_table('customer_identity')
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(op.f('fk_customer_merged_into_id_customer'), 'customer', type_='foreignkey')
    with op.batch_alter_table('customer', recreate='never') as batch:
        batch.drop_column('merged_into_id')
