"""customer names sealed at rest

A customer's name is personal data like their phone: `customer.name` becomes an AES-GCM token (text,
`Encrypted`), as `address.recipient` has been since 0002. Rows already in the database are sealed in
place, with the keyring the process configured (`bootstrap.build`) or else the one O2O_SECRET_KEY /
O2O_KEY_FILE gives. Nothing searches customers by name, so there is no lookup hash for it.

SQLite: `customer` is rebuilt with SQLite's own recipe (copy aside, drop, create, copy back) under
deferred foreign keys (other tables reference it, see 0002), the names sealed during the copy by a
Python function registered on the connection; secure_delete is on, so the replaced plaintext is
zeroed rather than left in free pages.

PostgreSQL: the column becomes text, then every row is sealed in place in batches. PostgreSQL keeps
the old row versions until VACUUM: run `VACUUM FULL customer` after upgrading a database that already
held customers.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 09:00:00
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from alembic import op

import o2o.kernel.db
from o2o.config import get_settings
from o2o.kernel import pii

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

BATCH = 5000
BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
UTC = o2o.kernel.db.UTCDateTime(timezone=True)
SEAL_FN, OPEN_FN = 'o2o_seal_name', 'o2o_open_name'


def _keyring() -> pii.Keyring:
    return pii.configured() or pii.Keyring.from_settings(get_settings())


def _customer(sealed: bool) -> list[Any]:
    """The customer table at 0009 (name VARCHAR(80)) and after (name TEXT: a token)."""
    return [
        sa.Column('id', BigId, autoincrement=True, nullable=False),
        sa.Column('name', sa.Text() if sealed else sa.String(length=80), nullable=False),
        sa.Column('phone', sa.Text(), nullable=True),
        sa.Column('phone_hash', sa.String(length=64), nullable=True),
        sa.Column('email', sa.Text(), nullable=True),
        sa.Column('email_hash', sa.String(length=64), nullable=True),
        sa.Column('home_lat', sa.Text(), nullable=True),
        sa.Column('home_lng', sa.Text(), nullable=True),
        sa.Column('created_at', UTC, nullable=False),
        sa.Column('erased_at', UTC, nullable=True),
        sa.PrimaryKeyConstraint('id', name='pk_customer'),
        sa.UniqueConstraint('phone_hash', name='uq_customer_phone_hash'),
        sa.UniqueConstraint('email_hash', name='uq_customer_email_hash'),
    ]


# -- SQLite: the table rebuilt, names through a SQL function on the way back ----------------------------
@contextmanager
def _sqlite_function(name: str, fn: Callable[[Any], Any]) -> Iterator[None]:
    """fn as a one-argument SQL function on this connection while the block runs. An error inside it
    is raised as itself (SQLite would only say 'user-defined function raised exception')."""
    raw = op.get_bind().connection.driver_connection
    errors: list[BaseException] = []

    def call(value: Any) -> Any:
        try:
            return fn(value)
        except BaseException as exc:
            errors.append(exc)
            raise

    raw.create_function(name, 1, call)
    try:
        yield
    except Exception as exc:
        if errors:
            raise errors[0] from exc
        raise
    finally:
        raw.create_function(name, 1, None)


@contextmanager
def _secure_delete() -> Iterator[None]:
    """SQLite zeroes freed pages and cells while the block runs; the connection goes back as it came."""
    before = op.get_bind().exec_driver_sql('PRAGMA secure_delete').scalar()
    op.execute('PRAGMA secure_delete = ON')
    try:
        yield
    finally:
        op.execute(f'PRAGMA secure_delete = {int(before)}')


def _sqlite_rebuild(sealed: bool, fn: str) -> None:
    columns = _customer(sealed)
    op.execute('PRAGMA defer_foreign_keys = ON')  # until this transaction ends
    op.execute('CREATE TABLE _name_old_customer AS SELECT * FROM customer')
    op.drop_table('customer')
    op.create_table('customer', *columns)
    names = [c.name for c in columns if isinstance(c, sa.Column)]
    exprs = [f'{fn}(name)' if c == 'name' else c for c in names]
    op.execute(f'INSERT INTO customer ({", ".join(names)}) SELECT {", ".join(exprs)} FROM _name_old_customer')
    op.execute('DROP TABLE _name_old_customer')


# -- PostgreSQL: rows rewritten in place ------------------------------------------------------------------
def _rewrite(fn: Callable[[str], str]) -> None:
    """Every customer's name through fn, keyset by id."""
    conn = op.get_bind()
    t = sa.table('customer', sa.column('id'), sa.column('name', sa.Text()))
    upd = sa.update(t).where(t.c.id == sa.bindparam('_key')).values(name=sa.bindparam('_name', type_=sa.Text()))
    last = None
    while True:
        stmt = sa.select(t.c.id, t.c.name).order_by(t.c.id).limit(BATCH)
        if last is not None:
            stmt = stmt.where(t.c.id > last)
        rows = conn.execute(stmt).all()
        if not rows:
            return
        conn.execute(upd, [{'_key': key, '_name': fn(name)} for key, name in rows])
        last = rows[-1][0]


def upgrade() -> None:
    ring = _keyring()
    if op.get_bind().dialect.name == 'sqlite':
        with _secure_delete(), _sqlite_function(SEAL_FN, ring.encrypt):
            _sqlite_rebuild(sealed=True, fn=SEAL_FN)
        return
    op.alter_column('customer', 'name', existing_type=sa.String(length=80), type_=sa.Text(), existing_nullable=False)
    _rewrite(ring.encrypt)


def downgrade() -> None:
    ring = _keyring()
    if op.get_bind().dialect.name == 'sqlite':
        with _secure_delete(), _sqlite_function(OPEN_FN, ring.decrypt):
            _sqlite_rebuild(sealed=False, fn=OPEN_FN)
        return
    _rewrite(ring.decrypt)
    op.alter_column('customer', 'name', existing_type=sa.Text(), type_=sa.String(length=80), existing_nullable=False)
