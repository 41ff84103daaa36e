"""A facilitator's reviews: create, list, read, and make a new projector link."""

from __future__ import annotations

import secrets
from typing import Any

from anyio import to_thread
from fastapi import APIRouter, Request
from sqlmodel import Session, col, select

from app.api.deps import FacilitatorDep, RowId, RuntimeDep, load_review_for
from app.api.errors import ApiError
from app.api.schemas import ERROR_RESPONSES, ReviewIn, ReviewStateOut
from app.i18n import _
from app.models import Prompt, Review, ReviewFacilitator
from app.review import audit, team
from app.review.agenda import TEMPLATE_DAYS, agenda_view
from app.review.audit import Action
from app.review.balance import voices_view
from app.review.errors import CommandError
from app.review.identity import Identity
from app.review.lifecycle import create_review
from app.review.prepare import screen_facilitator_text
from app.review.review_templates import own_template, template_settings
from app.review.views import iso, prompt_view, review_header, snapshot
from app.runtime import Runtime
from app.security import CLOSE_SCREEN_REPLACED, screen_token

router = APIRouter(prefix="/api/reviews", tags=["reviews"], responses=ERROR_RESPONSES)


def base_url(runtime: Runtime, request: Request) -> str:
    """The address people reach Lantern at: the configured public URL, else this request's."""
    return (runtime.settings.public_url or str(request.base_url)).rstrip("/")


def review_out(session: Session, runtime: Runtime, review: Review, base: str) -> dict[str, Any]:
    """The review as its facilitators see it: links, the screen token, questions, team."""
    token = screen_token(runtime.secret_key, review)
    prompts = session.exec(
        select(Prompt)
        .where(Prompt.review_id == review.id)
        .order_by(col(Prompt.phase), col(Prompt.position), col(Prompt.id))
    ).all()
    members = team.members(session, review)
    return {
        **review_header(review, audience="facilitator"),
        "join_url": f"{base}/j/{review.code}",
        "screen_url": f"{base}/screen/{review.code}?token={token}",
        "screen_token": token,
        "prompts": [prompt_view(p) for p in prompts],
        "agenda": agenda_view(review),
        "facilitators": sorted(m.email for m in members),
        "team": [
            {
                "facilitator_id": m.facilitator_id,
                "email": m.email,
                "owner": m.owner,
                "joined_at": m.joined_at,
            }
            for m in members
        ],
        "invitations": [
            {"id": i.id, "email": i.email, "invited_at": iso(i.created_at)}
            for i in team.pending(session, review.id or 0)
        ],
        "seq": review.seq,
        "epoch": review.epoch,
        "created_at": iso(review.created_at),
        "started_at": iso(review.started_at),
        "closed_at": iso(review.closed_at),
        "retention_days": review.retention_days,
    }


@router.post("", status_code=201)
async def create(
    body: ReviewIn, request: Request, runtime: RuntimeDep, me: FacilitatorDep
) -> dict[str, Any]:
    """Create a draft review with the default questions; you run it."""
    assert me.id is not None
    owner_id = me.id
    # The title, outcome and case reference are checked as the room's other words are (no
    # keep-out list exists yet); one that seems to identify someone is refused, saying why.
    try:
        for label, text in (
            ("title", body.title),
            ("outcome", body.outcome),
            ("case reference", body.case_ref),
        ):
            screen_facilitator_text(label, text)
    except CommandError as exc:
        raise ApiError(422, exc.code, exc.translated()) from None

    given = body.model_fields_set
    if body.template is not None and body.template_id is not None:
        raise ApiError(
            422,
            "invalid",
            _("Choose a day plan to start from, or one of your own templates, not both."),
        )
    days = body.days
    if body.template in TEMPLATE_DAYS and "days" not in given:
        days = TEMPLATE_DAYS[body.template]  # a 2-day plan makes a 2-day review

    def _create() -> dict[str, Any]:
        with runtime.db.write() as session:
            saved = None
            settings = body.settings.model_dump()
            if body.template_id is not None:
                try:
                    saved = own_template(session, owner_id, body.template_id)
                except CommandError as exc:
                    raise ApiError(404, exc.code, exc.translated()) from None
                # The template's settings, with any the body names over them.
                chosen = body.settings.model_dump(include=body.settings.model_fields_set)
                settings = template_settings(saved) | chosen
            review = create_review(
                session,
                owner_id,
                title=body.title,
                case_ref=body.case_ref,
                outcome=body.outcome,
                starts_on=body.starts_on,
                days=saved.days if saved is not None and "days" not in given else days,
                settings=settings,
                retention_days=body.retention_days or runtime.settings.retention_days,
                template=body.template,
                timezone=body.timezone if "timezone" in given or saved is None else None,
                saved=saved,
            )
            return review_out(session, runtime, review, base_url(runtime, request))

    return await to_thread.run_sync(_create)


@router.get("")
async def list_reviews(
    request: Request, runtime: RuntimeDep, me: FacilitatorDep
) -> list[dict[str, Any]]:
    """The reviews you run or co-run, newest first."""

    def _list() -> list[dict[str, Any]]:
        with runtime.db.read() as session:
            reviews = session.exec(
                select(Review)
                .join(ReviewFacilitator, col(ReviewFacilitator.review_id) == col(Review.id))
                .where(ReviewFacilitator.facilitator_id == me.id)
                .order_by(col(Review.id).desc())
            ).all()
            base = base_url(runtime, request)
            return [review_out(session, runtime, r, base) for r in reviews]

    return await to_thread.run_sync(_list)


@router.get("/{review_id}", responses={200: {"model": ReviewStateOut}})
async def read(
    review_id: RowId, request: Request, runtime: RuntimeDep, me: FacilitatorDep
) -> dict[str, Any]:
    """The whole room as a facilitator sees it (as in a facilitator's welcome state)."""

    def _read() -> dict[str, Any]:
        review = load_review_for(runtime, me, review_id)
        with runtime.db.read() as session:
            assert review.id is not None
            assert me.id is not None
            state = snapshot(
                session, review, Identity("facilitator", review.id, facilitator_id=me.id)
            )
            state["review"] = review_out(session, runtime, review, base_url(runtime, request))
            return state

    return await to_thread.run_sync(_read)


@router.get("/{review_id}/voices")
async def voices(review_id: RowId, runtime: RuntimeDep, me: FacilitatorDep) -> dict[str, Any]:
    """The balance of voices now: each voice group and its roles, with people, cards, votes
    and appreciations (the console's Voices panel reads it again as the room changes)."""

    def _voices() -> dict[str, Any]:
        review = load_review_for(runtime, me, review_id)
        with runtime.db.read() as session:
            return voices_view(session, review, roles=True)

    return await to_thread.run_sync(_voices)


@router.post("/{review_id}/screen-link")
async def new_screen_link(
    review_id: RowId, request: Request, runtime: RuntimeDep, me: FacilitatorDep
) -> dict[str, Any]:
    """Make a new projector link: the old one stops working, and screens using it close."""
    assert me.id is not None
    facilitator_id = me.id

    def _rotate() -> tuple[dict[str, Any], str]:
        load_review_for(runtime, me, review_id)
        with runtime.db.write() as session:
            review = session.exec(
                select(Review).where(Review.id == review_id).with_for_update()
            ).one()
            old = review.screen_nonce
            review.screen_nonce = secrets.token_hex(8)
            session.add(review)
            audit.record(
                session,
                Action.SCREEN_NEW_LINK,
                review_id=review_id,
                facilitator_id=facilitator_id,
            )
            return review_out(session, runtime, review, base_url(runtime, request)), old

    out, old = await to_thread.run_sync(_rotate)
    await runtime.kick(
        CLOSE_SCREEN_REPLACED, review_id=review_id, audience="screen", credential=old
    )
    return out
