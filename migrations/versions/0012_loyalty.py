"""loyalty: tiers, points ledger, points mall

`loyalty_tier` (normal / silver / gold / diamond rules and benefits) and `loyalty_config` (one row:
the points rates), seeded with defaults; `points_account` (a member's balance row, CHECK >= 0, the
row every debit's conditional UPDATE hits; tier and review date); `points_entry` (the append-only
ledger; positive entries are lots with what is left of them); `loyalty_spend` (qualifying spend of
completed orders for the rolling 12-month rules); `loyalty_reward` and `loyalty_redemption` (the
points mall).

Revision ID: 0012
Revises: 0010
Create Date: 2026-11-29 10:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import o2o.kernel.db

revision = '0012'
down_revision = '0010'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
UTC = o2o.kernel.db.UTCDateTime(timezone=True)

TIERS = (
    ("normal", 0, "普通会员", "Member", 0, 0, 100, False, False, False, 100),
    ("silver", 1, "白银会员", "Silver", 100_000, 0, 120, False, False, False, 100),
    ("gold", 2, "黄金会员", "Gold", 500_000, 0, 150, True, False, False, 98),
    ("diamond", 3, "钻石会员", "Diamond", 2_000_000, 0, 200, True, True, True, 95),
)


def upgrade() -> None:
    tier = op.create_table('loyalty_tier',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('name_zh', sa.String(length=40), nullable=False),
    sa.Column('name_en', sa.String(length=40), nullable=False),
    sa.Column('min_spend_fen', sa.BigInteger(), nullable=False),
    sa.Column('min_orders', sa.Integer(), nullable=False),
    sa.Column('points_multiplier_pct', sa.Integer(), nullable=False),
    sa.Column('free_store_delivery', sa.Boolean(), nullable=False),
    sa.Column('free_home_service', sa.Boolean(), nullable=False),
    sa.Column('dedicated_service', sa.Boolean(), nullable=False),
    sa.Column('price_pct', sa.Integer(), nullable=False),
    sa.Column('updated_at', UTC, nullable=True),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_loyalty_tier'))
    )
    config = op.create_table('loyalty_config',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('earn_points_per_yuan', sa.Integer(), nullable=False),
    sa.Column('redeem_points_per_yuan', sa.Integer(), nullable=False),
    sa.Column('redeem_cap_pct', sa.Integer(), nullable=False),
    sa.Column('expiry_days', sa.Integer(), nullable=False),
    sa.Column('expiring_notice_days', sa.Integer(), nullable=False),
    sa.Column('review_days', sa.Integer(), nullable=False),
    sa.Column('updated_at', UTC, nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loyalty_config'))
    )
    op.create_table('points_account',
    sa.Column('customer_id', BigId, autoincrement=False, nullable=False),
    sa.Column('balance', sa.BigInteger(), nullable=False),
    sa.Column('tier_code', sa.String(length=16), nullable=False),
    sa.Column('tier_since', UTC, nullable=False),
    sa.Column('review_at', UTC, nullable=False),
    sa.Column('updated_at', UTC, nullable=False),
    sa.CheckConstraint('balance >= 0', name=op.f('ck_points_account_balance_non_negative')),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_points_account_customer_id_customer')),
    sa.PrimaryKeyConstraint('customer_id', name=op.f('pk_points_account'))
    )
    op.create_index('ix_points_account_review', 'points_account', ['review_at'], unique=False)
    op.create_table('points_entry',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('customer_id', BigId, nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('points', sa.BigInteger(), nullable=False),
    sa.Column('remaining', sa.BigInteger(), nullable=False),
    sa.Column('shortfall', sa.BigInteger(), nullable=False),
    sa.Column('expires_at', UTC, nullable=True),
    sa.Column('notified_at', UTC, nullable=True),
    sa.Column('order_id', sa.BigInteger(), nullable=True),
    sa.Column('key', sa.String(length=160), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('created_at', UTC, nullable=False),
    sa.CheckConstraint('remaining >= 0', name=op.f('ck_points_entry_remaining_non_negative')),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_points_entry_customer_id_customer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_points_entry')),
    sa.UniqueConstraint('key', name=op.f('uq_points_entry_key'))
    )
    op.create_index('ix_points_entry_customer', 'points_entry', ['customer_id', 'id'], unique=False)
    op.create_index('ix_points_entry_lots', 'points_entry', ['customer_id', 'expires_at'], unique=False)
    op.create_index('ix_points_entry_expiry', 'points_entry', ['expires_at'], unique=False)
    op.create_index('ix_points_entry_order', 'points_entry', ['order_id'], unique=False)
    op.create_table('loyalty_spend',
    sa.Column('order_id', BigId, autoincrement=False, nullable=False),
    sa.Column('customer_id', BigId, nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('returned_fen', sa.BigInteger(), nullable=False),
    sa.Column('at', UTC, nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_loyalty_spend_customer_id_customer')),
    sa.PrimaryKeyConstraint('order_id', name=op.f('pk_loyalty_spend'))
    )
    op.create_index('ix_loyalty_spend_customer', 'loyalty_spend', ['customer_id', 'at'], unique=False)
    op.create_table('loyalty_reward',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name_zh', sa.String(length=80), nullable=False),
    sa.Column('name_en', sa.String(length=80), nullable=False),
    sa.Column('points_cost', sa.BigInteger(), nullable=False),
    sa.Column('stock', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', UTC, nullable=False),
    sa.CheckConstraint('points_cost > 0', name=op.f('ck_loyalty_reward_cost_positive')),
    sa.CheckConstraint('stock >= 0', name=op.f('ck_loyalty_reward_stock_non_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loyalty_reward'))
    )
    op.create_table('loyalty_redemption',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('reward_id', BigId, nullable=False),
    sa.Column('customer_id', BigId, nullable=False),
    sa.Column('points', sa.BigInteger(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('key', sa.String(length=160), nullable=True),
    sa.Column('created_at', UTC, nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_loyalty_redemption_customer_id_customer')),
    sa.ForeignKeyConstraint(['reward_id'], ['loyalty_reward.id'], name=op.f('fk_loyalty_redemption_reward_id_loyalty_reward')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loyalty_redemption')),
    sa.UniqueConstraint('code', name=op.f('uq_loyalty_redemption_code')),
    sa.UniqueConstraint('key', name=op.f('uq_loyalty_redemption_key'))
    )
    op.create_index('ix_loyalty_redemption_customer', 'loyalty_redemption', ['customer_id', 'id'], unique=False)
    cols = ("code", "rank", "name_zh", "name_en", "min_spend_fen", "min_orders", "points_multiplier_pct",
            "free_store_delivery", "free_home_service", "dedicated_service", "price_pct")
    op.bulk_insert(tier, [dict(zip(cols, row, strict=True)) for row in TIERS])
    op.bulk_insert(config, [dict(id=1, earn_points_per_yuan=1, redeem_points_per_yuan=100, redeem_cap_pct=50,
                                 expiry_days=365, expiring_notice_days=30, review_days=365)])


def downgrade() -> None:
    op.drop_index('ix_loyalty_redemption_customer', table_name='loyalty_redemption')
    op.drop_table('loyalty_redemption')
    op.drop_table('loyalty_reward')
    op.drop_index('ix_loyalty_spend_customer', table_name='loyalty_spend')
    op.drop_table('loyalty_spend')
    op.drop_index('ix_points_entry_order', table_name='points_entry')
    op.drop_index('ix_points_entry_expiry', table_name='points_entry')
    op.drop_index('ix_points_entry_lots', table_name='points_entry')
    op.drop_index('ix_points_entry_customer', table_name='points_entry')
    op.drop_table('points_entry')
    op.drop_index('ix_points_account_review', table_name='points_account')
    op.drop_table('points_account')
    op.drop_table('loyalty_config')
    op.drop_table('loyalty_tier')
