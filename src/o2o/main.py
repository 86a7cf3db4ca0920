"""create_app(): mounts every area's routes."""

from __future__ import annotations

import gc
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.middleware.trustedhost import TrustedHostMiddleware
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DBAPIError

from o2o import bootstrap
from o2o.analytics import service as analytics_service
from o2o.audit.routes import router as audit_routes
from o2o.backoffice.pages import router as backoffice_pages
from o2o.catalog.routes import router as catalog_routes
from o2o.console.live import STREAMS as console_streams
from o2o.console.pages import router as console_pages
from o2o.couriers.routes import router as courier_routes
from o2o.customers.routes import router as customer_routes
from o2o.deps import Container
from o2o.fulfillment.routes import router as fulfillment_routes
from o2o.groupbuy.routes import router as groupbuy_routes
from o2o.iam import guard
from o2o.iam.openapi import refusals
from o2o.iam.pages import router as iam_pages
from o2o.iam.routes import router as iam_routes
from o2o.inventory.routes import router as inventory_routes
from o2o.kernel import errors, lifecycle, metrics, migrate, openapi
from o2o.kernel.asgi import Guard, security_headers
from o2o.kernel.db import database_unavailable
from o2o.kernel.i18n import negotiate
from o2o.locations.routes import router as location_routes
from o2o.loyalty.routes import router as loyalty_routes
from o2o.messaging.routes import router as messaging_routes
from o2o.orders.routes import router as order_routes
from o2o.pos.routes import router as pos_routes
from o2o.pos.sync_routes import router as pos_sync_routes
from o2o.pos.till_routes import router as till_routes
from o2o.promotions.routes import router as promotion_routes
from o2o.returns.routes import router as returns_routes
from o2o.shop.pages import router as shop_pages
from o2o.web import errors as error_pages

MAX_BODY_BYTES = 1_000_000
DESCRIPTION = """Online mall, stores, stock, orders and fulfilment as one system.

Sign in first: customers with `POST /api/v1/auth/otp` then `/auth/otp/verify` (the dev SMS inbox
is at `/dev/inbox`), staff with `POST /api/v1/auth/staff/login`; send `Authorization: Bearer <token>`.
Integration apps send their API key the same way (or as `X-API-Key`)."""
DOCS_HTML = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>O2O API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css">
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml"></head>
<body><div id="swagger-ui"></div>
<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/docs-init.js"></script></body></html>"""
STATIC_DIR = Path(__file__).parent / "web" / "static"


ROUTERS = (catalog_routes, location_routes, inventory_routes, customer_routes, order_routes, fulfillment_routes,
           loyalty_routes, promotion_routes, groupbuy_routes, till_routes, pos_sync_routes, pos_routes,
           iam_routes, audit_routes, iam_pages, shop_pages, console_pages, backoffice_pages,
           messaging_routes, returns_routes, courier_routes)


def route_list(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every API route and page of the app (the access matrix test walks it)."""
    routes = [r for r in app.routes if isinstance(r, APIRoute)]
    routes += [r for router in ROUTERS for r in router.routes if isinstance(r, APIRoute)]
    return sorted({(m, r.path) for r in routes for m in r.methods - {"HEAD"}})


def create_app(container: Container | None = None, run_relay: bool = False, warm: bool = False) -> FastAPI:
    """`warm`: a served process fills the dashboard's per-day cache in the background as it starts."""
    c = container or bootstrap.build()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        thread = bootstrap.relay_thread(c) if run_relay else None
        if thread:
            thread.start()
        if warm:
            threading.Thread(target=analytics_service.warm_dashboard, args=(c.db, c.clock), name="dashboard-warm",
                             daemon=True).start()
        try:
            yield
        finally:
            if thread:
                thread.stop()
                thread.join(timeout=5)

    # every route passes the guard: who is calling, and may they (o2o.iam.permissions.ROUTES)
    app = FastAPI(title="O2O omnichannel retail", version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None,
                  description=DESCRIPTION, dependencies=[Depends(guard.authorize)])
    app.state.container = c
    if c.settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=c.settings.cors_origins, allow_credentials=True,
                           allow_methods=["GET", "POST", "PUT", "DELETE"],
                           allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-CSRF-Token"])
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=c.settings.allowed_hosts)
    inflight = max(1, min(c.settings.max_inflight, c.settings.pool_size + c.settings.pool_overflow))
    app.add_middleware(Guard, max_body=MAX_BODY_BYTES, max_inflight=inflight,
                       wait_s=c.settings.queue_wait_s, headers=security_headers(c.settings.https),
                       slow_s=c.settings.slow_request_s, page=error_pages.asgi_page, streams=console_streams)
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    errors.install(app, error_pages.page_for)  # browsers' page requests get HTML pages, the API problem+json
    guard.install(app, c)

    for router in ROUTERS:
        app.include_router(router)
    openapi.install(app, refusals)  # every operation documents the problems it can answer

    @app.get("/healthz", tags=["ops"])
    async def healthz() -> dict:
        """Liveness: 200 while the process can answer, whatever the database does (restart me if not)."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["ops"], responses={
        503: {"description": "the database is unreachable or not migrated to this version, or this process "
                             "is shutting down"}})
    def readyz(request: Request) -> JSONResponse:
        """Readiness: 200 when the database answers and is migrated to this code's head and the process is
        not shutting down; 503 + Retry-After otherwise (send no traffic)."""
        problem: errors.Problem | None = errors.ShuttingDown() if lifecycle.shutting_down.is_set() else None
        if problem is None:
            try:
                with c.db.read() as s:
                    if not migrate.at_head(s.connection()):
                        problem = errors.NotMigrated()
            except DBAPIError as exc:
                if not database_unavailable(exc):
                    raise
                problem = errors.DatabaseUnavailable()
        if problem is not None:
            # the same problem as any request's 503, but not logged: probes ask every few seconds
            return JSONResponse({**problem.body(negotiate(request.headers.get("accept-language"))),
                                 "database": c.db.dialect}, status_code=problem.status,
                                media_type=errors.PROBLEM_JSON, headers=problem.headers)
        return JSONResponse({"status": "ok", "database": c.db.dialect})

    outbox_metrics = metrics.OutboxCollector(c.db.read, c.clock)
    metrics.instrument_pool(c.db.engine, c.settings.pool_size + c.settings.pool_overflow)

    @app.get("/metrics", include_in_schema=False)
    def metrics_page(request: Request) -> Response:
        """Prometheus metrics (README lists them): with O2O_METRICS_TOKEN set, for that bearer token only;
        without, for loopback and private networks only. Anyone else gets 404, as if there were none."""
        if not metrics.allowed(request.client.host if request.client else None,
                               request.headers.get("authorization"), c.settings.metrics_token):
            raise errors.NotFound("page", "/metrics")
        return Response(metrics.render(outbox_metrics), media_type=metrics.CONTENT_TYPE)

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    # uploaded product pictures (o2o.catalog.images): public, named by their content. The directory is
    # made here, at start: before the first upload it would not exist, and StaticFiles answers 500 then
    c.settings.media_dir.mkdir(parents=True, exist_ok=True)
    app.mount("/media", StaticFiles(directory=c.settings.media_dir), name="media")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        """Swagger UI from locally served assets (no CDN, no inline script: the CSP forbids it)."""
        return HTMLResponse(DOCS_HTML)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        """Browsers ask for it at the root whatever the page links (the pages link /static/favicon.svg)."""
        return FileResponse(STATIC_DIR / "favicon.ico", media_type="image/x-icon",
                            headers={"Cache-Control": "public, max-age=86400"})

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/shop")

    # The router tries routes in order, and an included router tries all of its own: the probes and
    # /metrics, asked for every few seconds, go first instead of after ~400 API and page routes (their
    # paths overlap no other route's). /healthz matched in 367 us here, in 1 us now.
    probes = {"/healthz", "/readyz", "/metrics"}
    app.router.routes.sort(key=lambda route: getattr(route, "path", None) not in probes)  # stable
    return app


def settled(app: FastAPI) -> FastAPI:
    """For a server process, once its app is built: what start-up made (modules, routes, schemas,
    templates: ~180k objects) lives as long as the process, so it is moved out of the collector's way
    (a full collection: ~90 ms -> 0.2 ms). Not in create_app: tests build hundreds of apps."""
    gc.collect()
    gc.freeze()
    return app


def app_factory() -> FastAPI:
    """For `uvicorn --factory o2o.main:app_factory` (several worker processes; no relay inside)."""
    return settled(create_app(warm=True))
