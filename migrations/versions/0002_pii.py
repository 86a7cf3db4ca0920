"""personal data encrypted at rest

Phone, email and address columns become AES-GCM tokens (text); customers gain phone/email lookup
hashes (unique: they replace the unique phone) and erased_at; outbox payloads and stored idempotent
responses are sealed whole (the columns stay JSON, holding one string). Rows already in the
database (a demo seeded by the previous version) are encrypted in place, with the keyring the
process configured (`bootstrap.build`) or else the one O2O_SECRET_KEY / O2O_KEY_FILE gives.

SQLite: `customer` and `sales_order` are referenced by other tables, so they are rebuilt with
SQLite's own recipe (copy aside, drop, create, copy back) under deferred foreign keys: Alembic's
batch mode renames a copy into place, which leaves the dropped table's children counted as
violations at commit. `address` has no children and uses batch mode. SQLite's secure_delete is on
for the migration, so the replaced plaintext is zeroed rather than left in free pages. PostgreSQL
keeps the old row versions until VACUUM: run `VACUUM FULL customer, address, sales_order,
outbox_event, idempotency_key` after upgrading a database that already held personal data.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 07:00:00
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import orjson
import sqlalchemy as sa
from alembic import op

import o2o.kernel.db
from o2o.config import get_settings
from o2o.kernel import pii
from o2o.kernel.db import JSONDoc

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

BATCH = 5000
BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
UTC = o2o.kernel.db.UTCDateTime(timezone=True)


def _keyring() -> pii.Keyring:
    return pii.configured() or pii.Keyring.from_settings(get_settings())


def _sqlite() -> bool:
    return op.get_bind().dialect.name == 'sqlite'


# -- the two tables SQLite rebuilds, before (0001) and after ---------------------------------------
def _customer(new: bool) -> list[Any]:
    return [
        sa.Column('id', BigId, autoincrement=True, nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('phone', sa.Text(), nullable=True) if new else sa.Column('phone', sa.String(length=20), nullable=False),
        *([sa.Column('phone_hash', sa.String(length=64), nullable=True),
           sa.Column('email', sa.Text(), nullable=True),
           sa.Column('email_hash', sa.String(length=64), nullable=True)] if new else []),
        sa.Column('home_lat', sa.Double(), nullable=True),
        sa.Column('home_lng', sa.Double(), nullable=True),
        sa.Column('created_at', UTC, nullable=False),
        *([sa.Column('erased_at', UTC, nullable=True)] if new else []),
        sa.PrimaryKeyConstraint('id', name='pk_customer'),
        *([sa.UniqueConstraint('phone_hash', name='uq_customer_phone_hash'),
           sa.UniqueConstraint('email_hash', name='uq_customer_email_hash')] if new
          else [sa.UniqueConstraint('phone', name='uq_customer_phone')]),
    ]


def _sales_order(new: bool) -> list[Any]:
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
        sa.Column('ship_lat', sa.Double(), nullable=True),
        sa.Column('ship_lng', sa.Double(), nullable=True),
        sa.Column('ship_address', sa.Text() if new else sa.String(length=300), nullable=True),
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
        sa.CheckConstraint('total_fen >= 0', name='ck_sales_order_total_non_negative'),
        sa.ForeignKeyConstraint(['chosen_location_id'], ['location.id'],
                                name='fk_sales_order_chosen_location_id_location'),
        sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name='fk_sales_order_customer_id_customer'),
        sa.ForeignKeyConstraint(['fulfil_location_id'], ['location.id'],
                                name='fk_sales_order_fulfil_location_id_location'),
        sa.PrimaryKeyConstraint('id', name='pk_sales_order'),
        sa.UniqueConstraint('number', name='uq_sales_order_number'),
    ]


SALES_ORDER_INDEXES = (('ix_sales_order_customer', ['customer_id', 'created_at']),
                       ('ix_sales_order_location_created', ['fulfil_location_id', 'created_at']),
                       ('ix_sales_order_status_expires', ['status', 'expires_at']))


def _sqlite_rebuild(name: str, definition: list[Any], indexes: tuple = (), copy: list[str] | None = None) -> None:
    """SQLite's recipe for a table other tables reference: the foreign keys are deferred, so dropping
    the table counts its children as violations and copying the rows back counts them out again."""
    op.execute('PRAGMA defer_foreign_keys = ON')  # until this transaction ends
    op.execute(f'CREATE TABLE _pii_old_{name} AS SELECT * FROM {name}')
    op.drop_table(name)
    op.create_table(name, *definition)
    for ix, cols in indexes:
        op.create_index(ix, name, cols, unique=False)
    cols = ', '.join(copy or [c.name for c in definition if isinstance(c, sa.Column)])
    op.execute(f'INSERT INTO {name} ({cols}) SELECT {cols} FROM _pii_old_{name}')
    op.execute(f'DROP TABLE _pii_old_{name}')


# -- rows ----------------------------------------------------------------------------------------------
def _batches(table: sa.TableClause, key: str, cols: list[str], where: Any = None) -> Iterator[list[Any]]:
    """Rows in primary-key order, BATCH at a time (keyset: cheap on big tables)."""
    conn = op.get_bind()
    last = None
    while True:
        stmt = sa.select(table.c[key], *(table.c[c] for c in cols)).order_by(table.c[key]).limit(BATCH)
        if where is not None:
            stmt = stmt.where(where)
        if last is not None:
            stmt = stmt.where(table.c[key] > last)
        rows = conn.execute(stmt).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _rewrite(table: sa.TableClause, key: str, cols: list[str], fn: Callable[[Any], dict[str, Any]],
             where: Any = None) -> None:
    """fn(row) -> new values of some columns, for every row (where given: the rows it selects)."""
    conn = op.get_bind()
    for rows in _batches(table, key, cols, where):
        values = [fn(r) for r in rows]
        upd = (sa.update(table).where(table.c[key] == sa.bindparam('_key'))
               .values({c: sa.bindparam(f'_v_{c}', type_=table.c[c].type) for c in values[0]}))
        conn.execute(upd, [{'_key': r[0], **{f'_v_{c}': v for c, v in new.items()}}
                           for r, new in zip(rows, values, strict=True)])


def _text_table(name: str, key: str, *cols: str) -> sa.TableClause:
    return sa.table(name, sa.column(key), *(sa.column(c, sa.Text()) for c in cols))


def _json_rows(name: str, col: str, fn: Callable[[Any], Any]) -> None:
    """outbox_event.payload / idempotency_key.body: fn(old document) -> new document, keyset on the
    primary key (a composite one for idempotency_key)."""
    conn = op.get_bind()
    pk = {'outbox_event': ['id'], 'idempotency_key': ['scope', 'key']}[name]
    t = sa.table(name, *(sa.column(c) for c in pk), sa.column(col, JSONDoc))
    last: tuple | None = None
    while True:
        stmt = sa.select(*(t.c[c] for c in pk), t.c[col]).order_by(*(t.c[c] for c in pk)).limit(BATCH)
        if last is not None:
            stmt = stmt.where(sa.tuple_(*(t.c[c] for c in pk)) > sa.tuple_(*last))
        rows = conn.execute(stmt).all()
        if not rows:
            return
        upd = (sa.update(t).where(*(t.c[c] == sa.bindparam(f'_k_{c}') for c in pk))
               .values({col: sa.bindparam('_v', type_=JSONDoc)}))
        conn.execute(upd, [{**{f'_k_{c}': r[i] for i, c in enumerate(pk)}, '_v': fn(r[-1])} for r in rows])
        last = tuple(rows[-1][:len(pk)])


def upgrade() -> None:
    ring = _keyring()

    def seal(v: str | None) -> str | None:
        return None if v is None else ring.encrypt(v)

    # schema
    secure_delete = None
    if _sqlite():
        # freed pages and cells are zeroed, so the plaintext being replaced does not linger in the file
        secure_delete = op.get_bind().exec_driver_sql('PRAGMA secure_delete').scalar()
        op.execute('PRAGMA secure_delete = ON')
        _sqlite_rebuild('customer', _customer(new=True),
                        copy=['id', 'name', 'phone', 'home_lat', 'home_lng', 'created_at'])
        _sqlite_rebuild('sales_order', _sales_order(new=True), SALES_ORDER_INDEXES)
    else:
        with op.batch_alter_table('customer', schema=None) as b:
            b.alter_column('phone', existing_type=sa.String(length=20), type_=sa.Text(), nullable=True)
            b.drop_constraint('uq_customer_phone', type_='unique')
            b.add_column(sa.Column('phone_hash', sa.String(length=64), nullable=True))
            b.add_column(sa.Column('email', sa.Text(), nullable=True))
            b.add_column(sa.Column('email_hash', sa.String(length=64), nullable=True))
            b.add_column(sa.Column('erased_at', UTC, nullable=True))
            b.create_unique_constraint('uq_customer_phone_hash', ['phone_hash'])
            b.create_unique_constraint('uq_customer_email_hash', ['email_hash'])
        with op.batch_alter_table('sales_order', schema=None) as b:
            b.alter_column('ship_address', existing_type=sa.String(length=300), type_=sa.Text(),
                           existing_nullable=True)
    with op.batch_alter_table('address', schema=None) as b:
        for col, length in (('recipient', 80), ('phone', 20), ('line', 300)):
            b.alter_column(col, existing_type=sa.String(length=length), type_=sa.Text(), existing_nullable=False)

    # rows written before: encrypt in place
    hashed: set[str] = set()

    def phone_hash(phone: str) -> str | None:
        """None for a phone with no digits, or one that normalises like an earlier row's (no unique clash)."""
        try:
            h = ring.lookup_hash(phone)
        except ValueError:
            return None
        if h in hashed:
            return None
        hashed.add(h)
        return h

    t = sa.table('customer', sa.column('id'), sa.column('phone', sa.Text()), sa.column('phone_hash', sa.Text()))
    _rewrite(t, 'id', ['phone'], lambda r: {'phone': seal(r[1]), 'phone_hash': phone_hash(r[1])},
             where=t.c.phone.is_not(None))
    t = _text_table('address', 'id', 'recipient', 'phone', 'line')
    _rewrite(t, 'id', ['recipient', 'phone', 'line'],
             lambda r: {'recipient': seal(r[1]), 'phone': seal(r[2]), 'line': seal(r[3])})
    t = _text_table('sales_order', 'id', 'ship_address')
    _rewrite(t, 'id', ['ship_address'], lambda r: {'ship_address': seal(r[1])}, where=t.c.ship_address.is_not(None))
    for name, col in (('outbox_event', 'payload'), ('idempotency_key', 'body')):
        _json_rows(name, col, lambda v: ring.seal(orjson.dumps(v, option=orjson.OPT_NON_STR_KEYS)))
    if secure_delete is not None:  # the connection goes back to the pool as it came
        op.execute(f'PRAGMA secure_delete = {int(secure_delete)}')


def downgrade() -> None:
    ring = _keyring()

    def plain(v: str | None) -> str | None:
        return None if v is None else ring.decrypt(v)

    for name, col in (('outbox_event', 'payload'), ('idempotency_key', 'body')):
        _json_rows(name, col, lambda v: orjson.loads(ring.open(v)))
    t = _text_table('sales_order', 'id', 'ship_address')
    _rewrite(t, 'id', ['ship_address'], lambda r: {'ship_address': plain(r[1])}, where=t.c.ship_address.is_not(None))
    t = _text_table('address', 'id', 'recipient', 'phone', 'line')
    _rewrite(t, 'id', ['recipient', 'phone', 'line'],
             lambda r: {'recipient': plain(r[1]), 'phone': plain(r[2]), 'line': plain(r[3])})
    # an erased customer has no phone, but the old schema needs one (unique): a placeholder
    t = _text_table('customer', 'id', 'phone')
    _rewrite(t, 'id', ['phone'], lambda r: {'phone': plain(r[1]) if r[1] is not None else f'erased-{r[0]}'[:20]})

    with op.batch_alter_table('address', schema=None) as b:
        for col, length in (('recipient', 80), ('phone', 20), ('line', 300)):
            b.alter_column(col, existing_type=sa.Text(), type_=sa.String(length=length), existing_nullable=False)
    if _sqlite():
        _sqlite_rebuild('sales_order', _sales_order(new=False), SALES_ORDER_INDEXES)
        _sqlite_rebuild('customer', _customer(new=False))
    else:
        with op.batch_alter_table('sales_order', schema=None) as b:
            b.alter_column('ship_address', existing_type=sa.Text(), type_=sa.String(length=300),
                           existing_nullable=True)
        with op.batch_alter_table('customer', schema=None) as b:
            b.drop_constraint('uq_customer_email_hash', type_='unique')
            b.drop_constraint('uq_customer_phone_hash', type_='unique')
            b.drop_column('erased_at')
            b.drop_column('email_hash')
            b.drop_column('email')
            b.drop_column('phone_hash')
            b.alter_column('phone', existing_type=sa.Text(), type_=sa.String(length=20), nullable=False)
            b.create_unique_constraint('uq_customer_phone', ['phone'])
