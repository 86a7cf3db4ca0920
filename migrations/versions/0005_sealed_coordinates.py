"""coordinates sealed at rest

A home's and a delivery's precise coordinates are personal data: `address.lat/lng`,
`customer.home_lat/home_lng` and `sales_order.ship_lat/ship_lng` become AES-GCM tokens of the
float's repr (text, `EncryptedFloat`), like the address line since 0002. Rows already in the
database are sealed in place, with the keyring the process configured (`bootstrap.build`) or else
the one O2O_SECRET_KEY / O2O_KEY_FILE gives. Nullability is unchanged.

SQLite: the three tables are rebuilt with SQLite's own recipe (copy aside, drop, create, copy back)
under deferred foreign keys (`customer` and `sales_order` are referenced by other tables, see 0002),
and the coordinates are sealed during the copy by a Python function registered on the connection.
Batch mode is not used even for `address`: it would CAST each REAL to TEXT, which keeps only 15
significant digits, so a float would not read back exactly. secure_delete is on for the migration,
so the replaced plaintext is zeroed rather than left in free pages.

PostgreSQL: the columns become text (`USING lat::text`, with extra_float_digits = 3 so the text
reads back as exactly the same float), then every row is sealed in place in batches. PostgreSQL
keeps the old row versions until VACUUM: run `VACUUM FULL customer, address, sales_order` after
upgrading a database that already held coordinates.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 08:00:00
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

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

BATCH = 5000
BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
UTC = o2o.kernel.db.UTCDateTime(timezone=True)
# table -> its two coordinate columns, and whether they may be NULL
COORDINATES = {'customer': (('home_lat', 'home_lng'), True),
               'address': (('lat', 'lng'), False),
               'sales_order': (('ship_lat', 'ship_lng'), True)}
SEAL_FN, OPEN_FN = 'o2o_seal_float', 'o2o_open_float'


def _keyring() -> pii.Keyring:
    return pii.configured() or pii.Keyring.from_settings(get_settings())


def _sqlite() -> bool:
    return op.get_bind().dialect.name == 'sqlite'


# -- the three tables SQLite rebuilds, at 0004 (coordinates DOUBLE) and after (TEXT tokens) -----------
def _coord(name: str, sealed: bool, nullable: bool) -> sa.Column:
    return sa.Column(name, sa.Text() if sealed else sa.Double(), nullable=nullable)


def _customer(sealed: bool) -> list[Any]:
    return [
        sa.Column('id', BigId, autoincrement=True, nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('phone', sa.Text(), nullable=True),
        sa.Column('phone_hash', sa.String(length=64), nullable=True),
        sa.Column('email', sa.Text(), nullable=True),
        sa.Column('email_hash', sa.String(length=64), nullable=True),
        _coord('home_lat', sealed, True),
        _coord('home_lng', sealed, True),
        sa.Column('created_at', UTC, nullable=False),
        sa.Column('erased_at', UTC, nullable=True),
        sa.PrimaryKeyConstraint('id', name='pk_customer'),
        sa.UniqueConstraint('phone_hash', name='uq_customer_phone_hash'),
        sa.UniqueConstraint('email_hash', name='uq_customer_email_hash'),
    ]


def _address(sealed: bool) -> list[Any]:
    return [
        sa.Column('id', BigId, autoincrement=True, nullable=False),
        sa.Column('customer_id', BigId, nullable=False),
        sa.Column('label', sa.String(length=40), nullable=False),
        sa.Column('recipient', sa.Text(), nullable=False),
        sa.Column('phone', sa.Text(), nullable=False),
        sa.Column('district', sa.String(length=60), nullable=False),
        sa.Column('line', sa.Text(), nullable=False),
        _coord('lat', sealed, False),
        _coord('lng', sealed, False),
        sa.Column('created_at', UTC, nullable=False),
        sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name='fk_address_customer_id_customer'),
        sa.PrimaryKeyConstraint('id', name='pk_address'),
    ]


def _sales_order(sealed: bool) -> list[Any]:
    return [
        sa.Column('id', BigId, autoincrement=True, nullable=False),
        sa.Column('number', sa.String(length=24), nullable=False),
        sa.Column('customer_id', BigId, nullable=True),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('utm_source', sa.String(length=80), nullable=True),
        sa.Column('utm_medium', sa.String(length=80), nullable=True),
        sa.Column('utm_campaign', sa.String(length=120), nullable=True),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('wanted_mode', sa.String(length=16), nullable=False),
        sa.Column('mode', sa.String(length=16), nullable=False),
        sa.Column('chosen_location_id', BigId, nullable=True),
        sa.Column('fulfil_location_id', BigId, nullable=False),
        sa.Column('route_reason', sa.String(length=300), nullable=False),
        sa.Column('distance_m', sa.Integer(), nullable=True),
        _coord('ship_lat', sealed, True),
        _coord('ship_lng', sealed, True),
        sa.Column('ship_address', sa.Text(), nullable=True),
        sa.Column('pickup_slot', sa.String(length=40), nullable=True),
        sa.Column('subtotal_fen', sa.Integer(), nullable=False),
        sa.Column('delivery_fee_fen', sa.Integer(), nullable=False),
        sa.Column('discount_fen', sa.Integer(), nullable=False),
        sa.Column('total_fen', sa.Integer(), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('created_at', UTC, nullable=False),
        sa.Column('expires_at', UTC, nullable=True),
        sa.Column('paid_at', UTC, nullable=True),
        sa.Column('completed_at', UTC, nullable=True),
        # op.f: the name as given (0002's rebuild let the naming convention prefix it a second time)
        sa.CheckConstraint('total_fen >= 0', name=op.f('ck_sales_order_total_non_negative')),
        sa.ForeignKeyConstraint(['chosen_location_id'], ['location.id'],
                                name='fk_sales_order_chosen_location_id_location'),
        sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name='fk_sales_order_customer_id_customer'),
        sa.ForeignKeyConstraint(['fulfil_location_id'], ['location.id'],
                                name='fk_sales_order_fulfil_location_id_location'),
        sa.PrimaryKeyConstraint('id', name='pk_sales_order'),
        sa.UniqueConstraint('number', name='uq_sales_order_number'),
    ]


TABLES: dict[str, tuple[Callable[[bool], list[Any]], tuple]] = {
    'customer': (_customer, ()),
    'sales_order': (_sales_order, (('ix_sales_order_customer', ['customer_id', 'created_at']),
                                   ('ix_sales_order_location_created', ['fulfil_location_id', 'created_at']),
                                   ('ix_sales_order_status_expires', ['status', 'expires_at']))),
    'address': (_address, (('ix_address_customer_id', ['customer_id']),)),
}


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


def _sqlite_rebuild(name: str, sealed: bool, fn: str) -> None:
    """SQLite's recipe for a table other tables reference (foreign keys deferred: dropping the table
    counts its children as violations, copying the rows back counts them out again); the coordinate
    columns go through the SQL function `fn` on the way back."""
    definition, indexes = TABLES[name]
    columns = definition(sealed)
    coords = COORDINATES[name][0]
    op.execute('PRAGMA defer_foreign_keys = ON')  # until this transaction ends
    op.execute(f'CREATE TABLE _coord_old_{name} AS SELECT * FROM {name}')
    op.drop_table(name)
    op.create_table(name, *columns)
    for ix, cols in indexes:
        op.create_index(ix, name, cols, unique=False)
    names = [c.name for c in columns if isinstance(c, sa.Column)]
    exprs = [f'{fn}({c})' if c in coords else c for c in names]
    op.execute(f'INSERT INTO {name} ({", ".join(names)}) SELECT {", ".join(exprs)} FROM _coord_old_{name}')
    op.execute(f'DROP TABLE _coord_old_{name}')


@contextmanager
def _secure_delete() -> Iterator[None]:
    """SQLite zeroes freed pages and cells while the block runs, so replaced plaintext does not linger in
    the file; the connection goes back to the pool as it came."""
    before = op.get_bind().exec_driver_sql('PRAGMA secure_delete').scalar()
    op.execute('PRAGMA secure_delete = ON')
    try:
        yield
    finally:
        op.execute(f'PRAGMA secure_delete = {int(before)}')


# -- PostgreSQL: rows rewritten in place -----------------------------------------------------------------
def _rewrite(name: str, fn: Callable[[str | None], str | None]) -> None:
    """Both coordinate columns of every row holding one, through fn (text in, text out), keyset by id."""
    conn = op.get_bind()
    cols = COORDINATES[name][0]
    t = sa.table(name, sa.column('id'), *(sa.column(c, sa.Text()) for c in cols))
    upd = (sa.update(t).where(t.c.id == sa.bindparam('_key'))
           .values({c: sa.bindparam(f'_v_{c}', type_=sa.Text()) for c in cols}))
    last = None
    while True:
        stmt = (sa.select(t.c.id, *(t.c[c] for c in cols)).where(sa.or_(*(t.c[c].is_not(None) for c in cols)))
                .order_by(t.c.id).limit(BATCH))
        if last is not None:
            stmt = stmt.where(t.c.id > last)
        rows = conn.execute(stmt).all()
        if not rows:
            return
        conn.execute(upd, [{'_key': r[0], **{f'_v_{c}': fn(v) for c, v in zip(cols, r[1:], strict=True)}}
                           for r in rows])
        last = rows[-1][0]


@contextmanager
def _exact_float_text() -> Iterator[None]:
    """float8 -> text with enough digits to read back as the same float, for this transaction (put
    back afterwards; after an error the transaction is rolled back, which puts it back too)."""
    before = op.get_bind().exec_driver_sql('SHOW extra_float_digits').scalar()
    op.execute('SET LOCAL extra_float_digits = 3')
    yield
    op.execute(f'SET LOCAL extra_float_digits = {int(before)}')


def upgrade() -> None:
    ring = _keyring()

    def seal(v: Any) -> str | None:
        return None if v is None else ring.encrypt_float(float(v))

    if _sqlite():
        with _secure_delete(), _sqlite_function(SEAL_FN, seal):
            for name in TABLES:
                _sqlite_rebuild(name, sealed=True, fn=SEAL_FN)
        return
    with _exact_float_text():
        for name, (cols, nullable) in COORDINATES.items():
            for col in cols:
                op.alter_column(name, col, existing_type=sa.Double(), type_=sa.Text(),
                                existing_nullable=nullable, postgresql_using=f'{col}::text')
            _rewrite(name, seal)


def downgrade() -> None:
    ring = _keyring()

    def plain(v: str | None) -> float | None:
        return None if v is None else ring.decrypt_float(v)

    if _sqlite():
        with _secure_delete(), _sqlite_function(OPEN_FN, plain):
            for name in TABLES:
                _sqlite_rebuild(name, sealed=False, fn=OPEN_FN)
        return
    for name, (cols, nullable) in COORDINATES.items():
        _rewrite(name, lambda v: None if v is None else repr(plain(v)))
        for col in cols:
            op.alter_column(name, col, existing_type=sa.Text(), type_=sa.Double(),
                            existing_nullable=nullable, postgresql_using=f'{col}::double precision')
