"""EncryptedFloat: coordinates sealed at rest, exact floats in and out, never compared in SQL."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from o2o.customers.models import Address, Customer
from o2o.kernel import pii
from o2o.kernel.pii import EncryptedFloat, Keyring
from o2o.models import metadata
from o2o.orders.models import Order
from o2o.pii_cli import encrypted_columns

RING = Keyring.derive("unit-test-secret")


@given(st.floats())
def test_round_trip_is_exact_for_any_float(x: float):
    token = RING.encrypt_float(x)
    assert token.startswith("k1$")
    assert repr(RING.decrypt_float(token)) == repr(x)  # repr: nan == nan, and -0.0 stays -0.0


def test_a_coordinate_with_6_decimals_is_not_in_its_token():
    token = RING.encrypt_float(31.221234)
    assert "31.221234" not in token and RING.decrypt_float(token) == 31.221234
    assert RING.encrypt_float(31.221234) != token  # randomised, like every token


def test_numpy_and_int_values_are_sealed_as_plain_floats():
    assert RING.open(RING.encrypt_float(np.float64(31.5))) == b"31.5"  # not "np.float64(31.5)"
    assert RING.decrypt_float(RING.encrypt_float(np.float32(0.5))) == 0.5
    assert RING.decrypt_float(RING.encrypt_float(121)) == 121.0


@pytest.mark.parametrize("value", [True, "31.2", Decimal("31.2"), b"31.2"])
def test_anything_but_a_real_number_is_refused(value: object):
    with pytest.raises(TypeError, match="real number"):
        RING.encrypt_float(value)  # type: ignore[arg-type]


def test_the_column_type_seals_floats_and_passes_none_through():
    before = pii.configured()
    pii.configure(RING)
    try:
        t = EncryptedFloat()
        assert t.python_type is float
        assert t.process_bind_param(None, None) is None and t.process_result_value(None, None) is None
        token = t.process_bind_param(31.123456789012345, None)
        assert isinstance(token, str) and token.startswith("k1$")
        assert t.process_result_value(token, None) == 31.123456789012345
    finally:
        pii.configure(before)


def test_sealed_coordinates_cannot_be_compared_or_ordered_in_sql():
    with pytest.raises(TypeError, match="encrypted"):
        select(Address.id).where(Address.lat > 31.0)
    with pytest.raises(TypeError, match="encrypted"):
        select(Order.id).order_by(Order.ship_lat.desc())
    select(Customer.id).where(Customer.home_lat.is_(None))  # IS NULL still works


def test_rotation_finds_the_coordinate_columns():
    found = {(t.name, c.name) for t, cols in encrypted_columns(metadata).items() for c in cols}
    assert {("customer", "home_lat"), ("customer", "home_lng"), ("address", "lat"), ("address", "lng"),
            ("sales_order", "ship_lat"), ("sales_order", "ship_lng")} <= found
