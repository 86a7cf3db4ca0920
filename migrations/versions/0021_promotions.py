"""promotions: automatic promotions, coupon templates, coupons, claim slots, discounts given

`promotion` (automatic promotions: rule, scope, channel, tiers, group/exclusive, window, budget);
`coupon_template` (rule, scope, claim window, validity, quantity, budget, per-customer limit, tiers,
LBS store and radius, restore/forfeit on cancel, automatic issue on sign-up or first store visit);
`coupon` (one per customer, unguessable unique code, issued -> used by one conditional UPDATE);
`coupon_claim` (the abuse limits: (template, subject, slot) unique per customer, phone, device and
address); `promotion_use` (each discount given, per order and offer, or at a till).

Revision ID: 0021
Revises: 0010
Create Date: 2026-11-29 12:45:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import o2o.kernel.db

revision = '0021'
down_revision = '0010'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
UTC = o2o.kernel.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table('coupon_template',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('claim_from', UTC, nullable=False),
    sa.Column('claim_until', UTC, nullable=False),
    sa.Column('valid_from', UTC, nullable=True),
    sa.Column('valid_until', UTC, nullable=True),
    sa.Column('valid_days', sa.Integer(), nullable=True),
    sa.Column('total_qty', sa.Integer(), nullable=True),
    sa.Column('issued_qty', sa.Integer(), nullable=False),
    sa.Column('per_customer_limit', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.BigInteger(), nullable=True),
    sa.Column('radius_m', sa.Integer(), nullable=False),
    sa.Column('on_cancel', sa.String(length=8), nullable=False),
    sa.Column('auto_issue', sa.String(length=12), nullable=False),
    sa.Column('claimable', sa.Boolean(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name_zh', sa.String(length=80), nullable=False),
    sa.Column('name_en', sa.String(length=80), nullable=False),
    sa.Column('label_zh', sa.String(length=40), nullable=False),
    sa.Column('label_en', sa.String(length=60), nullable=False),
    sa.Column('min_fen', sa.BigInteger(), nullable=False),
    sa.Column('off_fen', sa.BigInteger(), nullable=False),
    sa.Column('repeat', sa.Boolean(), nullable=False),
    sa.Column('pct_off', sa.Integer(), nullable=False),
    sa.Column('cap_fen', sa.BigInteger(), nullable=False),
    sa.Column('nth', sa.Integer(), nullable=False),
    sa.Column('buy', sa.Integer(), nullable=False),
    sa.Column('get', sa.Integer(), nullable=False),
    sa.Column('price_fen', sa.BigInteger(), nullable=False),
    sa.Column('gift_sku_id', sa.BigInteger(), nullable=False),
    sa.Column('sku_ids', sa.JSON(), nullable=False),
    sa.Column('category_ids', sa.JSON(), nullable=False),
    sa.Column('location_ids', sa.JSON(), nullable=False),
    sa.Column('tier_codes', sa.JSON(), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('group_code', sa.String(length=40), nullable=False),
    sa.Column('exclusive', sa.Boolean(), nullable=False),
    sa.Column('budget_fen', sa.BigInteger(), nullable=True),
    sa.Column('spent_fen', sa.BigInteger(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', UTC, nullable=False),
    sa.Column('updated_at', UTC, nullable=False),
    sa.CheckConstraint('budget_fen IS NULL OR spent_fen <= budget_fen', name=op.f('ck_coupon_template_within_budget')),
    sa.CheckConstraint('per_customer_limit >= 1', name=op.f('ck_coupon_template_limit_positive')),
    sa.CheckConstraint('spent_fen >= 0', name=op.f('ck_coupon_template_spent_non_negative')),
    sa.CheckConstraint('total_qty IS NULL OR issued_qty <= total_qty', name=op.f('ck_coupon_template_within_quantity')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coupon_template'))
    )
    op.create_index('ix_coupon_template_live', 'coupon_template', ['active', 'claim_until'], unique=False)
    op.create_table('promotion',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('starts_at', UTC, nullable=False),
    sa.Column('ends_at', UTC, nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name_zh', sa.String(length=80), nullable=False),
    sa.Column('name_en', sa.String(length=80), nullable=False),
    sa.Column('label_zh', sa.String(length=40), nullable=False),
    sa.Column('label_en', sa.String(length=60), nullable=False),
    sa.Column('min_fen', sa.BigInteger(), nullable=False),
    sa.Column('off_fen', sa.BigInteger(), nullable=False),
    sa.Column('repeat', sa.Boolean(), nullable=False),
    sa.Column('pct_off', sa.Integer(), nullable=False),
    sa.Column('cap_fen', sa.BigInteger(), nullable=False),
    sa.Column('nth', sa.Integer(), nullable=False),
    sa.Column('buy', sa.Integer(), nullable=False),
    sa.Column('get', sa.Integer(), nullable=False),
    sa.Column('price_fen', sa.BigInteger(), nullable=False),
    sa.Column('gift_sku_id', sa.BigInteger(), nullable=False),
    sa.Column('sku_ids', sa.JSON(), nullable=False),
    sa.Column('category_ids', sa.JSON(), nullable=False),
    sa.Column('location_ids', sa.JSON(), nullable=False),
    sa.Column('tier_codes', sa.JSON(), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('group_code', sa.String(length=40), nullable=False),
    sa.Column('exclusive', sa.Boolean(), nullable=False),
    sa.Column('budget_fen', sa.BigInteger(), nullable=True),
    sa.Column('spent_fen', sa.BigInteger(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', UTC, nullable=False),
    sa.Column('updated_at', UTC, nullable=False),
    sa.CheckConstraint('budget_fen IS NULL OR spent_fen <= budget_fen', name=op.f('ck_promotion_within_budget')),
    sa.CheckConstraint('spent_fen >= 0', name=op.f('ck_promotion_spent_non_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_promotion'))
    )
    op.create_index('ix_promotion_live', 'promotion', ['active', 'ends_at'], unique=False)
    op.create_table('promotion_use',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('order_id', sa.BigInteger(), nullable=True),
    sa.Column('key', sa.String(length=24), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('promotion_id', sa.BigInteger(), nullable=True),
    sa.Column('template_id', sa.BigInteger(), nullable=True),
    sa.Column('coupon_id', sa.BigInteger(), nullable=True),
    sa.Column('customer_id', sa.BigInteger(), nullable=True),
    sa.Column('location_id', sa.BigInteger(), nullable=True),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('order_total_fen', sa.BigInteger(), nullable=True),
    sa.Column('at', UTC, nullable=False),
    sa.Column('released_at', UTC, nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_promotion_use'))
    )
    op.create_index('ix_promotion_use_order', 'promotion_use', ['order_id'], unique=False)
    op.create_index('ix_promotion_use_promotion', 'promotion_use', ['promotion_id'], unique=False)
    op.create_index('ix_promotion_use_template', 'promotion_use', ['template_id'], unique=False)
    op.create_table('coupon',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('template_id', BigId, nullable=False),
    sa.Column('customer_id', BigId, nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('via', sa.String(length=12), nullable=False),
    sa.Column('store_id', sa.BigInteger(), nullable=True),
    sa.Column('valid_from', UTC, nullable=False),
    sa.Column('valid_until', UTC, nullable=False),
    sa.Column('issued_at', UTC, nullable=False),
    sa.Column('used_at', UTC, nullable=True),
    sa.Column('order_id', sa.BigInteger(), nullable=True),
    sa.Column('location_id', sa.BigInteger(), nullable=True),
    sa.Column('discount_fen', sa.BigInteger(), nullable=False),
    sa.Column('used_by', sa.String(length=120), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_coupon_customer_id_customer')),
    sa.ForeignKeyConstraint(['template_id'], ['coupon_template.id'], name=op.f('fk_coupon_template_id_coupon_template')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coupon')),
    sa.UniqueConstraint('code', name=op.f('uq_coupon_code'))
    )
    op.create_index('ix_coupon_customer', 'coupon', ['customer_id', 'status'], unique=False)
    op.create_index('ix_coupon_order', 'coupon', ['order_id'], unique=False)
    op.create_index('ix_coupon_template', 'coupon', ['template_id', 'status'], unique=False)
    op.create_table('coupon_claim',
    sa.Column('template_id', BigId, autoincrement=False, nullable=False),
    sa.Column('subject', sa.String(length=80), nullable=False),
    sa.Column('slot', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('coupon_id', BigId, nullable=False),
    sa.Column('created_at', UTC, nullable=False),
    sa.ForeignKeyConstraint(['coupon_id'], ['coupon.id'], name=op.f('fk_coupon_claim_coupon_id_coupon')),
    sa.ForeignKeyConstraint(['template_id'], ['coupon_template.id'], name=op.f('fk_coupon_claim_template_id_coupon_template')),
    sa.PrimaryKeyConstraint('template_id', 'subject', 'slot', name=op.f('pk_coupon_claim'))
    )


def downgrade() -> None:
    op.drop_table('coupon_claim')
    op.drop_index('ix_coupon_template', table_name='coupon')
    op.drop_index('ix_coupon_order', table_name='coupon')
    op.drop_index('ix_coupon_customer', table_name='coupon')
    op.drop_table('coupon')
    op.drop_index('ix_promotion_use_template', table_name='promotion_use')
    op.drop_index('ix_promotion_use_promotion', table_name='promotion_use')
    op.drop_index('ix_promotion_use_order', table_name='promotion_use')
    op.drop_table('promotion_use')
    op.drop_index('ix_promotion_live', table_name='promotion')
    op.drop_table('promotion')
    op.drop_index('ix_coupon_template_live', table_name='coupon_template')
    op.drop_table('coupon_template')
