"""Every error as JSON: {"error": {"code", "message"}}, and never a 500 for bad input."""

from __future__ import annotations

import logging
from typing import Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app import metrics
from app.db import is_outage
from app.i18n import _
from app.review.errors import CommandError

log = logging.getLogger("lantern.api")
# How soon a client told the database is unavailable (503) should try again.
RETRY_AFTER_SECONDS: Final = 5

# Error code -> HTTP status, for the HTTP form of a command and the JSON error body. The
# domain names what went wrong; which status carries it is the API's business.
HTTP_STATUS: Final[dict[str, int]] = {
    "unauthorized": 401,
    "forbidden": 403,
    "invalid": 422,
    "not_found": 404,
    "locked": 409,
    "budget_exhausted": 409,
    "too_large": 413,
    "rate_limited": 429,
    "closed": 409,
    "not_live": 409,
    "wrong_phase": 409,
    "voting_closed": 409,
    "conflict": 409,
    "limit_reached": 409,
    "unanswered_concerns": 409,
    "unavailable": 503,
    "internal": 500,
}

_CODES = {
    400: "invalid",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "rate_limited",
}


def error_body(code: str, message: str) -> dict[str, dict[str, str]]:
    """The JSON error body."""
    return {"error": {"code": code, "message": message}}


class ApiError(Exception):
    """A refusal from a route, with its HTTP status and protocol code."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers


def http_status(code: str) -> int:
    """The HTTP status that carries an error code."""
    return HTTP_STATUS.get(code, 400)


def api_error(exc: CommandError) -> ApiError:
    """A domain refusal as the API answers it: its status, its message translated."""
    return ApiError(http_status(exc.code), exc.code, exc.translated())


def install(app: FastAPI) -> None:
    """Register the handlers on the app."""

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.message), exc.status, headers=exc.headers)

    @app.exception_handler(CommandError)
    async def _command_error(_request: Request, exc: CommandError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.translated()), http_status(exc.code))

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return JSONResponse(error_body("invalid", _("The body is not valid JSON.")), 400)
        parts = []
        for e in errors[:5]:
            loc = ".".join(str(p) for p in e.get("loc", ()) if p not in ("body", "query", "path"))
            parts.append(f"{loc or 'body'}: {e.get('msg', 'invalid')}.")
        return JSONResponse(error_body("invalid", " ".join(parts) or _("Invalid request.")), 422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _CODES.get(exc.status_code, "error")
        return JSONResponse(
            error_body(code, str(exc.detail)),
            exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(SQLAlchemyError)
    async def _database(_request: Request, exc: SQLAlchemyError) -> JSONResponse:
        if not is_outage(exc):
            return _fault(exc)
        # The database is down, locked or unreachable: a moment's outage, not a fault.
        # (app.logs withholds the error's message from the log line: it may quote text.)
        metrics.count("lantern_errors_total", kind="database_unavailable")
        log.error("database unavailable", exc_info=exc)
        return JSONResponse(
            error_body("unavailable", _("The server could not reach its database; try again.")),
            503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        return _fault(exc)


def _fault(exc: Exception) -> JSONResponse:
    # app.logs prints the frames and the exception's type, never its message.
    metrics.count("lantern_errors_total", kind="internal")
    log.exception("unexpected error", exc_info=exc)
    return JSONResponse(error_body("internal", _("Something went wrong on the server.")), 500)
