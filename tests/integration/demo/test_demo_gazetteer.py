"""`o2o seed` writes the offline geocoder's gazetteer with the chain it generated: the demo's roads,
buildings and areas plus every store at its own position, and the gazetteer geocoder finds them (both
databases: the stores are read back from the database the generator filled)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from o2o import bootstrap
from o2o.config import Settings
from o2o.demo.generator import DemoSize, generate
from o2o.locations.models import Location

TINY = DemoSize(stores=4, warehouses=1, skus=40, customers=5, days=1)


def test_seed_writes_the_gazetteer_with_the_chains_stores_and_the_settings_choose_it(fresh_db, tmp_path):
    path = tmp_path / "var" / "gazetteer.json"
    generate(fresh_db, TINY, seed=5, anchor=datetime(2026, 11, 24, 2, 0, tzinfo=UTC), gazetteer=path)
    assert path.exists()
    geocoder = bootstrap.geocoder(Settings(database_url=fresh_db.url, gazetteer_file=path))
    assert geocoder.name == "gazetteer"
    with fresh_db.read() as s:
        stores = list(s.scalars(select(Location).where(Location.kind == "store")))
    assert len(stores) == TINY.stores
    for store in stores:
        found = geocoder.suggest(f"O2O {store.name_zh}")
        assert found and found[0].name == f"O2O {store.name_zh}", store.name_zh
        assert (found[0].lat, found[0].lng, found[0].address) == (store.lat, store.lng, store.address)
    assert geocoder.suggest("漕溪北路")[0].district == "徐汇区"
    # without the file (a database seeded elsewhere) the demo's own places still answer
    bare = bootstrap.geocoder(Settings(database_url=fresh_db.url, gazetteer_file=tmp_path / "absent.json"))
    assert bare.suggest("漕溪北路") and not bare.suggest(f"O2O {stores[0].name_zh}")
