"""sms sends, request ids, wechat consents

Real SMS providers (issue 14): each SMS handed to a provider (`sms_send`: provider, its message id,
status, delivery receipt; phone sealed with a lookup hash), the request id that caused each outbox
event (`outbox_event.request_id`), and customers' one-time WeChat subscription consents
(`wechat_consent`, openid sealed).

Revision ID: 0014
Revises: 0010
Create Date: 2026-11-29 01:45:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import o2o.kernel.db

revision = '0014'
down_revision = '0010'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
UTC = o2o.kernel.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table('sms_send',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('dedupe_key', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('provider', sa.String(length=20), nullable=False),
    sa.Column('provider_message_id', sa.String(length=100), nullable=True),
    sa.Column('phone', sa.Text(), nullable=False),
    sa.Column('phone_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('error', sa.String(length=200), nullable=True),
    sa.Column('sent_at', UTC, nullable=False),
    sa.Column('reported_at', UTC, nullable=True),
    sa.Column('report', sa.String(length=200), nullable=True),
    sa.Column('request_id', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_send')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_sms_send_dedupe_key'))
    )
    op.create_index('ix_sms_send_provider_message', 'sms_send', ['provider', 'provider_message_id'], unique=False)
    op.create_index('ix_sms_send_phone_hash', 'sms_send', ['phone_hash'], unique=False)
    op.create_table('wechat_consent',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('customer_id', BigId, nullable=False),
    sa.Column('template_id', sa.String(length=64), nullable=False),
    sa.Column('openid', sa.Text(), nullable=False),
    sa.Column('openid_hash', sa.String(length=64), nullable=False),
    sa.Column('granted_at', UTC, nullable=False),
    sa.Column('used_at', UTC, nullable=True),
    sa.Column('used_for', sa.String(length=120), nullable=True),
    sa.Column('msgid', sa.String(length=40), nullable=True),
    sa.Column('error', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wechat_consent')),
    sa.UniqueConstraint('used_for', name=op.f('uq_wechat_consent_used_for'))
    )
    op.create_index('ix_wechat_consent_open', 'wechat_consent', ['customer_id', 'template_id', 'used_at'],
                    unique=False)
    with op.batch_alter_table('outbox_event') as batch:
        batch.add_column(sa.Column('request_id', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbox_event') as batch:
        batch.drop_column('request_id')
    op.drop_index('ix_wechat_consent_open', table_name='wechat_consent')
    op.drop_table('wechat_consent')
    op.drop_index('ix_sms_send_phone_hash', table_name='sms_send')
    op.drop_index('ix_sms_send_provider_message', table_name='sms_send')
    op.drop_table('sms_send')
