"""Page render time with the texts in gettext catalogs (issue 12 point 16), against another checkout.

    python -m bench.page_render [--quick] [--baseline PATH_TO_OTHER_CHECKOUT]

In one process per tree (O2O_BENCH_SRC): the app on a SQLite file with the test chain, one paid order;
then the CPU time of GET /shop/orders/<number> (the shopper's order page: ~60 texts) and of
/admin/audit, in-process through TestClient, median and p90 over N renders after a warm-up; plus the cost
of one `t(key)` call and the import time of the texts. `--quick` renders 30 times instead of 300.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def measure(n: int) -> dict[str, float]:
    os.environ.setdefault("O2O_ENV", "dev")  # dev secrets and the payment sandbox, as the tests
    t0 = time.perf_counter()
    from o2o.shop.texts import TEXTS  # the storefront's texts (catalogs read here, after the change)
    from o2o.web.templating import Translator

    import_ms = (time.perf_counter() - t0) * 1000
    t = Translator("zh-CN", [TEXTS])
    calls = 200_000
    t1 = time.perf_counter()
    for _ in range(calls):
        t("nav.cart")
    per_call_ns = (time.perf_counter() - t1) / calls * 1e9

    from fastapi.testclient import TestClient

    from o2o import bootstrap
    from o2o.config import Settings
    from o2o.iam import service as iam
    from o2o.kernel.db import Database
    from o2o.kernel.migrate import upgrade
    from o2o.main import create_app
    from o2o.orders import service as orders
    from o2o.orders.schemas import LineIn, OrderIn
    from tests.factories.auth import Auth
    from tests.factories.chain import build_chain, receive

    tmp = Path(tempfile.mkdtemp())
    url = f"sqlite:///{tmp / 'bench.db'}"
    db = Database.from_url(url)
    upgrade(db.engine)
    c = bootstrap.build(Settings(database_url=url, payment_secret="bench", cheap_password_hashing=True), db=db)
    chain = build_chain(c)
    store, milk = chain.stores["xujiahui"], chain.skus["milk"]
    receive(c, store, milk, 10)
    placed = orders.place(c.uow(), OrderIn(customer_id=chain.customer, mode="pickup", location_id=store,
                                           lines=[LineIn(sku_id=milk, quantity=2)]), orders.OrderPolicy())
    started = orders.start_payment(c.uow(), c.payments, placed.number)
    orders.sandbox_complete(c.uow(), c.payments, started.out_trade_no)
    shopper = iam.sign_in_session(c.uow(), "customer", chain.customer, True, iam.Client("bench"), c.settings)
    staff = Auth(c).staff("platform_admin")
    out = {"import_texts_ms": import_ms, "t_call_ns": per_call_ns}
    with TestClient(create_app(c)) as client:
        pages = {"shop_order": (f"/shop/orders/{placed.number}",
                                {"Cookie": f"o2o_session={shopper.access_token}", "Accept-Language": "zh-CN"}),
                 "admin_audit": ("/admin/audit", {**staff, "Accept-Language": "en"})}
        for name, (path, headers) in pages.items():
            for _ in range(5):
                assert client.get(path, headers=headers, follow_redirects=False).status_code == 200, path
            times = []
            for _ in range(n):
                s = time.process_time()  # CPU of this process (client and app): less hit by a busy machine
                r = client.get(path, headers=headers, follow_redirects=False)
                times.append((time.process_time() - s) * 1000)
                assert r.status_code == 200, (path, r.status_code)
            times.sort()
            out[f"{name}_median_ms"] = statistics.median(times)
            out[f"{name}_p90_ms"] = times[int(len(times) * 0.9) - 1]
    db.dispose()
    return out


def run_in(src: Path, n: int) -> dict[str, float]:
    env = dict(os.environ, O2O_BENCH_SRC=str(src), PYTHONPATH=f"{src}{os.pathsep}{ROOT}")
    code = (f"import sys; sys.path[:0] = [{str(src)!r}, {str(ROOT)!r}]; import json; "
            f"from bench.page_render import measure; print(json.dumps(measure({n})))")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.page_render")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--baseline", type=Path, help="another checkout's root (its src is measured too)")
    parser.add_argument("--after", type=Path, help="the checkout measured instead of this one")
    parser.add_argument("--rounds", type=int, default=2, help="baseline/after alternations (ABBA order)")
    args = parser.parse_args(argv)
    n = 30 if args.quick else 300
    trees = {"after": (args.after or ROOT) / "src"}
    if args.baseline:
        trees = {"baseline": args.baseline / "src", **trees}
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
    order = list(trees)
    for i in range(args.rounds):  # ABBA: the machine's drift falls on both alike
        for name in order if i % 2 == 0 else order[::-1]:
            runs[name].append(run_in(trees[name], n))
    summary = {name: {key: round(statistics.median(r[key] for r in rs), 2) for key in rs[0]}
               for name, rs in runs.items()}
    print(json.dumps({"renders": n, "rounds": args.rounds, **summary}, indent=2))


if __name__ == "__main__":
    main()
