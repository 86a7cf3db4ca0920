"""product images

Pictures of products (`product_image`): one row per file stored under the media directory
(O2O_MEDIA_DIR, served at /media), named by its SHA-256; the lowest position is the main picture.

Revision ID: 0008
Revises: 0005
Create Date: 2026-11-28 09:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import o2o.kernel.db

revision = '0008'
down_revision = '0005'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('product_image',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('product_id', BigId, nullable=False),
    sa.Column('path', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=20), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', o2o.kernel.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("content_type in ('image/jpeg', 'image/png', 'image/webp')",
                       name=op.f('ck_product_image_content_type')),
    sa.CheckConstraint('size_bytes > 0 and width > 0 and height > 0', name=op.f('ck_product_image_dimensions')),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_product_image_product_id_product')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_image')),
    sa.UniqueConstraint('path', name=op.f('uq_product_image_path'))
    )
    with op.batch_alter_table('product_image', schema=None) as batch_op:
        batch_op.create_index('ix_product_image_product', ['product_id', 'position'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('product_image', schema=None) as batch_op:
        batch_op.drop_index('ix_product_image_product')
    op.drop_table('product_image')
