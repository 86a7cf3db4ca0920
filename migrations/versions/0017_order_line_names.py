"""order_line.name_zh / name_en: a line keeps its product's name in both languages (issue 12 point 15)

`order_line.name` is the name in the language the order was placed in; pages show the line in their own
language. Lines from before are filled from the catalog (product name and SKU spec, as pricing names them).

Revision ID: 0017
Revises: 0010
Create Date: 2026-11-29 08:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0010'
branch_labels = None
depends_on = None

_NAME = ("(SELECT TRIM(p.{col} || ' ' || COALESCE(s.spec, '')) FROM sku s JOIN product p ON p.id = s.product_id "
         "WHERE s.id = order_line.sku_id)")


def upgrade() -> None:
    with op.batch_alter_table('order_line') as batch:
        batch.add_column(sa.Column('name_zh', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('name_en', sa.String(length=200), nullable=True))
    op.execute(f"UPDATE order_line SET name_zh = {_NAME.format(col='name_zh')}, "
               f"name_en = {_NAME.format(col='name_en')}")


def downgrade() -> None:
    with op.batch_alter_table('order_line') as batch:
        batch.drop_column('name_en')
        batch.drop_column('name_zh')
