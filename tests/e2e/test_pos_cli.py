"""`o2o pos add-terminal` prints a key that rings up at that store's till (with a clerk signed in)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from o2o.cli import app
from o2o.config import get_settings
from o2o.pos import service as pos
from tests.factories.chain import build_chain


@pytest.fixture
def env_container(container, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("O2O_DATABASE_URL", container.db.url)
    get_settings.cache_clear()
    yield container
    get_settings.cache_clear()


def test_add_terminal_prints_the_key_of_a_pos_write_key_bound_to_the_store(env_container, client, auth):
    store = build_chain(env_container).stores["xujiahui"]
    runner = CliRunner()
    out = runner.invoke(app, ["pos", "add-terminal", "--store", str(store), "--code", "t01"])
    assert out.exit_code == 0, out.output
    key = out.output.strip().splitlines()[-1]
    assert key.startswith("o2o_")
    assert runner.invoke(app, ["pos", "add-terminal", "--store", str(store), "--code", "T01"]).exit_code == 2
    [term] = pos.terminals(env_container.db, store)
    assert term.code == "T01" and term.api_key_id is not None
    h = {**auth.staff("clerk", store_id=store), "X-Api-Key": key}
    assert client.get("/api/v1/pos/items/6900000000000", headers=h).status_code == 200
    # a new key: the old one stops at once, the new one rings up at the same till
    rotated = runner.invoke(app, ["pos", "new-key", "--terminal", str(term.id)])
    assert rotated.exit_code == 0, rotated.output
    new = rotated.output.strip().splitlines()[-1]
    assert new.startswith("o2o_") and new != key
    assert client.get("/api/v1/pos/items/6900000000000", headers=h).status_code == 401
    h = {**h, "X-Api-Key": new}
    assert client.get("/api/v1/pos/items/6900000000000", headers=h).status_code == 200
    assert runner.invoke(app, ["pos", "disable-terminal", "--terminal", str(term.id)]).exit_code == 0
    assert client.get("/api/v1/pos/items/6900000000000", headers=h).status_code == 403
