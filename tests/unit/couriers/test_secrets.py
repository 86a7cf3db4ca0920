"""Outside dev, simulated couriers need a secret of their own: the built-in one would let anyone sign
their callbacks."""

from __future__ import annotations

from o2o.bootstrap import dev_secrets_problem
from o2o.config import Settings

OWN = {"secret_key": "s" * 40, "payment_secret": "p" * 40}


def test_simulated_couriers_outside_dev_need_their_own_secret():
    assert dev_secrets_problem(Settings(env="production", **OWN)) is None
    problem = dev_secrets_problem(Settings(env="production", couriers=["sim-a"], **OWN))
    assert problem is not None and "O2O_COURIER_SECRET" in problem
    assert dev_secrets_problem(Settings(env="production", couriers=["sim-a"], courier_secret="c" * 40, **OWN)) is None
    assert dev_secrets_problem(Settings(env="dev", couriers=["sim-a"])) is None
