"""Request and response bodies of the HTTP API, as the OpenAPI schema shows them."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.review import rules
from app.review.commands import text_type
from app.review.rules import Role


class LoginIn(BaseModel):
    email: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=254)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=1024)]


class LoginOut(BaseModel):
    token: str
    facilitator_id: int
    email: str


class ReviewSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    anonymous: bool = True
    vote_budget: Annotated[int, Field(ge=1, le=rules.MAX_VOTE_BUDGET)] = 3
    max_votes_per_target: Annotated[int, Field(ge=1, le=rules.MAX_VOTE_BUDGET)] = 3
    moderation: Literal["pre", "post"] = "pre"
    hide_tallies_until_reveal: bool = True


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: text_type(rules.MAX_TITLE)  # type: ignore[valid-type]
    case_ref: text_type(rules.MAX_CASE_REF)  # type: ignore[valid-type]
    outcome: text_type(rules.MAX_OUTCOME, 0) = ""  # type: ignore[valid-type]
    starts_on: date | None = None
    days: Annotated[int, Field(ge=1, le=5)] = 3
    settings: ReviewSettings = Field(default_factory=ReviewSettings)
    retention_days: Annotated[int, Field(ge=1, le=3650)] | None = None


class JoinIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role
    name: text_type(rules.MAX_NAME, 0) = ""  # type: ignore[valid-type]
    table: text_type(rules.MAX_TABLE, 0) = ""  # type: ignore[valid-type]


class JoinOut(BaseModel):
    participant_id: int
    token: str
    review_id: int
    code: str


class CoFacilitatorIn(BaseModel):
    email: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=254)]


class AckOut(BaseModel):
    type: Literal["ack"]
    cid: str
    seq: int


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorOut(BaseModel):
    error: ErrorDetail


class CommandErrorOut(BaseModel):
    type: Literal["error"]
    cid: str | None
    code: str
    message: str
    error: ErrorDetail


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut} for status in (400, 401, 403, 404, 409, 413, 422, 429)
}
