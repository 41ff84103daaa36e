"""Request and response bodies of the HTTP API, as the OpenAPI schema shows them."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from app.review.agenda import DEFAULT_TIMEZONE, is_timezone
from app.review.fields import (
    BlockTitle as TemplateName,
)
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


def _known_zone(name: str) -> str:
    if not is_timezone(name):
        raise ValueError("not a time zone this server knows, e.g. Europe/London")
    return name


TimeZone = Annotated[str, StringConstraints(max_length=64), AfterValidator(_known_zone)]


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
    # The day plan to start from (docs/protocol.md 2.1): a 2- or 3-day appreciative review,
    # or empty days. Left out: the plan for a review of `days` days, if there is one.
    template: Literal["two_day", "three_day", "empty"] | None = None
    # Where the review meets, for the plan's times (an IANA name, e.g. "Europe/London").
    timezone: TimeZone = DEFAULT_TIMEZONE
    # One of your own templates (GET /api/templates): its settings, questions and plan.
    template_id: Annotated[int, Field(ge=1, le=2**62)] | None = None


class TemplateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: TemplateName


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


class AgendaBlockOut(BaseModel):
    """A block of the day plan, with its planned times (docs/protocol.md 4.5)."""

    id: int
    day: int
    title: str
    phase: Literal["discover", "dream", "design", "deliver"] | None
    mode: Literal["cards", "pairs", "tables", "voting", "consent", "plenary", "break"]
    minutes: int
    starts_at: str = Field(description="planned start, HH:MM in the plan's time zone")
    ends_at: str = Field(description="planned end, HH:MM")
    prompt_ids: list[int] = Field(description="its questions; the first is asked when it starts")


class AgendaDayOut(BaseModel):
    day: int
    date: str | None = Field(description="starts_on plus the day's place; null without it")
    starts_at: str
    ends_at: str
    blocks: list[AgendaBlockOut]


class AgendaOut(BaseModel):
    """The review's day plan; the block running now is the header's `block`."""

    timezone: str
    days: list[AgendaDayOut]


class ReviewStateOut(BaseModel):
    """The whole room as a facilitator sees it (docs/protocol.md section 4); the review
    header's `block` and `next_block` are the plan's block running now and the next."""

    model_config = ConfigDict(extra="allow")

    review: dict[str, Any]
    agenda: AgendaOut
