"""The ASGI app: routes, error handlers, security headers, and the worker's lifespan."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from anyio import to_thread
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text

from app import logs, pages
from app.api import auth, errors, openapi, reviews, rooms, team, ws
from app.api import exports as exports_api
from app.api import privacy as privacy_api
from app.api import templates as templates_api
from app.api.throttle import Throttles
from app.config import Settings, get_settings
from app.middleware import BodyLimitMiddleware, LanguageMiddleware, SecurityHeadersMiddleware
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
        version="1",
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
    app.include_router(ws.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/healthz", tags=["health"])
    async def healthz() -> JSONResponse:
        """200 once the database answers."""
        runtime: Runtime = app.state.runtime

        def _ping() -> None:
            with runtime.db.read() as session:
                session.connection().execute(text("SELECT 1"))

        try:
            await to_thread.run_sync(_ping)
        except Exception:
            return JSONResponse({"status": "unavailable"}, 503)
        return JSONResponse({"status": "ok"})

    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(LanguageMiddleware)
    return app
