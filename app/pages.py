"""The HTML pages of the contract, rendered with Jinja2 (autoescaped)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from app.review.rules import ROLE_LABELS

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
router = APIRouter(include_in_schema=False)


def _render(request: Request, name: str, **context: Any) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, name, {"role_labels": ROLE_LABELS, **context})


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> HTMLResponse:
    """Join by code, or sign in to facilitate."""
    return _render(request, "home.html")


@router.get("/j/{code}", response_class=HTMLResponse)
async def phone(request: Request, code: str) -> HTMLResponse:
    """A participant's phone."""
    return _render(request, "phone.html", code=code.upper()[:32])


@router.get("/screen/{code}", response_class=HTMLResponse)
async def screen(request: Request, code: str) -> HTMLResponse:
    """The projector."""
    return _render(request, "screen.html", code=code.upper()[:32])


@router.get("/facilitate", response_class=HTMLResponse)
async def console_home(request: Request) -> HTMLResponse:
    """Sign in, list reviews, create one."""
    return _render(request, "facilitate_home.html")


@router.get("/facilitate/{review_id}", response_class=HTMLResponse)
async def console(request: Request, review_id: int) -> HTMLResponse:
    """The facilitator's console for one review."""
    return _render(request, "console.html", review_id=review_id)
