"""create_app(): mounts every area's routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text

from o2o import bootstrap
from o2o.catalog.routes import router as catalog_routes
from o2o.customers.routes import router as customer_routes
from o2o.deps import Container
from o2o.fulfillment.routes import router as fulfillment_routes
from o2o.inventory.routes import router as inventory_routes
from o2o.kernel import errors
from o2o.kernel.asgi import Guard
from o2o.locations.routes import router as location_routes
from o2o.orders.routes import router as order_routes

MAX_BODY_BYTES = 1_000_000
STATIC_DIR = Path(__file__).parent / "web" / "static"


def create_app(container: Container | None = None, run_relay: bool = False) -> FastAPI:
    c = container or bootstrap.build()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        thread = bootstrap.relay_thread(c) if run_relay else None
        if thread:
            thread.start()
        try:
            yield
        finally:
            if thread:
                thread.stop()
                thread.join(timeout=5)

    app = FastAPI(title="O2O omnichannel retail", version="0.1.0", lifespan=lifespan, docs_url=None,
                  description="Online mall, stores, stock, orders and fulfilment as one system.")
    app.state.container = c
    app.add_middleware(Guard, max_body=MAX_BODY_BYTES, max_inflight=c.settings.pool_size + c.settings.pool_overflow)
    errors.install(app)

    for router in (catalog_routes, location_routes, inventory_routes, customer_routes, order_routes,
                   fulfillment_routes):
        app.include_router(router)

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict:
        with c.db.read() as s:
            s.execute(text("SELECT 1"))
        return {"status": "ok", "database": c.db.dialect}

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        """Swagger UI from locally served assets (no CDN)."""
        return get_swagger_ui_html(openapi_url="/openapi.json", title="O2O API",
                                   swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
                                   swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
                                   swagger_favicon_url="/static/vendor/swagger-ui/favicon-32x32.png")

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/docs")

    return app


def app_factory() -> FastAPI:
    """For `uvicorn --factory o2o.main:app_factory` (several worker processes; no relay inside)."""
    return create_app()
