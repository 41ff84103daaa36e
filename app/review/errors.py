"""The one error type of the domain, carrying a protocol error code."""

from __future__ import annotations

from typing import Final

# Error code -> HTTP status, for the HTTP form of a command and the JSON error body.
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
    "unanswered_concerns": 409,
    "unavailable": 503,
    "internal": 500,
}


class CommandError(Exception):
    """A refusal with a protocol code and a message a person can read."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    @property
    def http_status(self) -> int:
        """The HTTP status that carries this error."""
        return HTTP_STATUS.get(self.code, 400)
