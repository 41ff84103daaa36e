"""The ASGI app: routes, error handlers, security headers, and the worker's lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles

from app import VERSION, logs, metrics, pages
from app.api import auth, errors, follow_up, openapi, reviews, rooms, team, ws
from app.api import evaluation as evaluation_api
from app.api import exports as exports_api
from app.api import letters as letters_api
from app.api import privacy as privacy_api
from app.api import reflections as reflections_api
from app.api import templates as templates_api
from app.api.errors import error_body
from app.api.throttle import Throttles
from app.config import Settings, get_settings
from app.i18n import _
from app.middleware import (
    AccessLogMiddleware,
    BodyLimitMiddleware,
    CompressPagesMiddleware,
    LanguageMiddleware,
    SecurityHeadersMiddleware,
)
from app.privacy.retention import purge_periodically
from app.runtime import Runtime
from app.security import CLOSE_DELETED

STATIC_DIR = Path(__file__).parent / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    """A Lantern app for these settings (the environment's by default)."""
    settings = settings or get_settings()
    logs.install()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = Runtime.create(settings)
        app.state.runtime = runtime
        # Sign-in, code and command limits: shared by the workers through Redis if there is one.
        limits = Throttles.for_url(settings.redis_url)
        app.state.throttles = limits
        await runtime.start()
        metrics.gauge("lantern_connections", runtime.hub.connection_counts)

        async def _purged(review_ids: list[int]) -> None:
            for review_id in review_ids:
                await runtime.kick(CLOSE_DELETED, review_id=review_id)

        # Expired reviews go while the server runs, not only when someone runs `purge`.
        purger = asyncio.create_task(purge_periodically(runtime.db, _purged))
        try:
            yield
        finally:
            purger.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await purger
            await runtime.stop()
            await limits.close()

    app = FastAPI(
        title="Lantern",
        version=VERSION,
        summary="A live room for appreciative case reviews in children's safeguarding.",
        description="See docs/protocol.md for the websocket protocol at /ws/rooms/{code}.",
        lifespan=lifespan,
    )
    errors.install(app)
    openapi.install(app)
    app.include_router(auth.router)
    app.include_router(reviews.router)
    app.include_router(team.router)
    app.include_router(templates_api.router)
    app.include_router(rooms.router)
    app.include_router(privacy_api.router)
    app.include_router(exports_api.router)
    app.include_router(reflections_api.router)
    app.include_router(letters_api.router)
    app.include_router(evaluation_api.router)
    app.include_router(ws.router)
    app.include_router(follow_up.api)
    app.include_router(follow_up.page)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/healthz", tags=["health"])
    async def healthz() -> JSONResponse:
        """200 `{"status": "ok"}` while every dependency answers; 503 naming those that don't."""
        checks = await app.state.runtime.checks()
        failing = [name for name, state in checks.items() if state == "unavailable"]
        if failing:
            return JSONResponse({"status": "unavailable", "failing": failing}, 503)
        return JSONResponse({"status": "ok"})

    @app.get("/metrics", tags=["health"], include_in_schema=False)
    async def metrics_page(request: Request) -> Response:
        """Prometheus's text format, for a scraper bearing LANTERN_METRICS_TOKEN; else 404
        (the public learns nothing, not even that metrics exist)."""
        token = settings.metrics_token
        given = request.headers.get("authorization", "")
        if not token or not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return JSONResponse(error_body("not_found", _("Not found.")), 404)
        return PlainTextResponse(metrics.render(), media_type="text/plain; version=0.0.4")

    @app.get("/readyz", tags=["health"])
    async def readyz() -> JSONResponse:
        """Each dependency's state (`ok`, `unavailable`, `not used`) and the version."""
        checks = await app.state.runtime.checks()
        ready = "unavailable" not in checks.values()
        body = {"status": "ok" if ready else "unavailable", "checks": checks, "version": VERSION}
        return JSONResponse(body, 200 if ready else 503)

    app.add_middleware(CompressPagesMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(LanguageMiddleware)
    # Outermost: the request id is set before anything else logs.
    app.add_middleware(AccessLogMiddleware, enabled=settings.access_log)
    return app
