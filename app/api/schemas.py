"""Request and response bodies of the HTTP API, as the OpenAPI schema shows them."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.review.fields import (
    CaseRef,
    Days,
    FirstName,
    Outcome,
    RetentionDays,
    ReviewSettings,
    TableLabel,
    Title,
)
from app.review.rules import Role


class LoginIn(BaseModel):
    email: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=254)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=1024)]


class LoginOut(BaseModel):
    token: str
    facilitator_id: int
    email: str


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title
    case_ref: CaseRef
    outcome: Outcome = ""
    starts_on: date | None = None
    days: Days = 3
    settings: ReviewSettings = Field(default_factory=ReviewSettings)
    retention_days: RetentionDays | None = None


class JoinIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role
    name: FirstName = ""
    table: TableLabel = ""


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
