"""Who runs a review: invitations to co-facilitate, accepting, declining, leaving, removal.

An invitation is kept by email whether or not an account has that address, and inviting
answers the same either way, so the team panel never tells anyone which addresses have
accounts. Nobody joins a team without accepting in their own console.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, delete, func, select

from app.i18n import N_
from app.models import (
    AuthToken,
    Card,
    Facilitator,
    Invitation,
    Review,
    ReviewFacilitator,
    utcnow,
)
from app.review.audit import Action, record
from app.review.errors import CommandError
from app.review.views import iso

# Enough for a large multi-agency team; a panel of waiting invitations stays readable.
MAX_PENDING_INVITATIONS = 30


@dataclass(frozen=True, slots=True)
class Member:
    """One facilitator on a review's team."""

    facilitator_id: int
    email: str
    owner: bool
    joined_at: str | None


def members(session: Session, review: Review) -> list[Member]:
    """The review's team, the owner first, then by when they joined."""
    rows = session.exec(
        select(Facilitator.id, Facilitator.email, ReviewFacilitator.added_at)
        .join(ReviewFacilitator, col(ReviewFacilitator.facilitator_id) == col(Facilitator.id))
        .where(ReviewFacilitator.review_id == review.id)
        .order_by(col(ReviewFacilitator.added_at), col(Facilitator.id))
    ).all()
    team = [Member(fid or 0, email, fid == review.owner_id, iso(at)) for fid, email, at in rows]
    return sorted(team, key=lambda m: not m.owner)


def pending(session: Session, review_id: int) -> list[Invitation]:
    """Invitations to this review nobody has answered yet."""
    return list(
        session.exec(
            select(Invitation).where(Invitation.review_id == review_id).order_by(col(Invitation.id))
        ).all()
    )


def invite(session: Session, review_id: int, inviter_id: int, email: str) -> None:
    """Invite an address to co-facilitate (no change if already invited or on the team)."""
    email = email.strip().lower()
    member = session.exec(
        select(ReviewFacilitator.facilitator_id)
        .join(Facilitator, col(Facilitator.id) == col(ReviewFacilitator.facilitator_id))
        .where(ReviewFacilitator.review_id == review_id, Facilitator.email == email)
    ).first()
    waiting = session.exec(
        select(Invitation.id).where(Invitation.review_id == review_id, Invitation.email == email)
    ).first()
    if member is not None or waiting is not None:
        return
    count = session.exec(
        select(func.count()).select_from(Invitation).where(Invitation.review_id == review_id)
    ).one()
    if count >= MAX_PENDING_INVITATIONS:
        raise CommandError(
            "conflict",
            N_(
                "This review already has %(most)s invitations waiting. "
                "Withdraw some before inviting more."
            ),
            most=MAX_PENDING_INVITATIONS,
        )
    session.add(Invitation(review_id=review_id, email=email, invited_by=inviter_id))
    _audit(session, review_id, inviter_id, Action.TEAM_INVITE, email=email)


def withdraw(session: Session, review_id: int, facilitator_id: int, invitation_id: int) -> None:
    """Take back an invitation nobody has answered."""
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.review_id != review_id:
        raise CommandError("not_found", N_("No such invitation."))
    session.delete(invitation)
    _audit(session, review_id, facilitator_id, Action.TEAM_INVITE_WITHDRAWN, email=invitation.email)


def invitations_for(session: Session, email: str) -> list[dict[str, object]]:
    """The invitations waiting for this address, with the review's title and who invited."""
    rows = session.exec(
        select(Invitation, Review.title)
        .join(Review, col(Review.id) == col(Invitation.review_id))
        .where(Invitation.email == email.strip().lower())
        .order_by(col(Invitation.id))
    ).all()
    inviters = {i.invited_by for i, _ in rows if i.invited_by is not None}
    emails = dict(
        session.exec(
            select(Facilitator.id, Facilitator.email).where(col(Facilitator.id).in_(inviters))
        ).all()
    )
    return [
        {
            "id": invitation.id,
            "review_id": invitation.review_id,
            "title": title,
            "invited_by": emails.get(invitation.invited_by),
            "invited_at": iso(invitation.created_at),
        }
        for invitation, title in rows
    ]


def _invitation_for(session: Session, invitation_id: int, me: Facilitator) -> Invitation:
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.email != me.email:
        raise CommandError("not_found", N_("No such invitation."))
    return invitation


def accept(session: Session, invitation_id: int, me: Facilitator) -> int:
    """Join the review an invitation is for; its id."""
    assert me.id is not None
    invitation = _invitation_for(session, invitation_id, me)
    review_id = invitation.review_id
    session.delete(invitation)
    if session.get(ReviewFacilitator, (review_id, me.id)) is None:
        # added_at is when they joined: the review's audit log shows their sign-ins from then.
        session.add(ReviewFacilitator(review_id=review_id, facilitator_id=me.id, added_at=utcnow()))
    _audit(session, review_id, me.id, Action.TEAM_JOIN)
    return review_id


def decline(session: Session, invitation_id: int, me: Facilitator) -> None:
    """Say no to an invitation; the team sees that it was declined."""
    assert me.id is not None
    invitation = _invitation_for(session, invitation_id, me)
    session.delete(invitation)
    _audit(session, invitation.review_id, me.id, Action.TEAM_DECLINE, email=invitation.email)


def remove(session: Session, review: Review, by_id: int, facilitator_id: int) -> str:
    """Take a facilitator off the team: the owner removes others, anyone may leave.

    The owner cannot be removed (the review would have nobody answerable for it). Answers
    the email of whoever left.
    """
    assert review.id is not None
    if facilitator_id == review.owner_id:
        raise CommandError(
            "conflict", N_("The review's owner cannot leave it. Delete the review instead.")
        )
    if by_id != facilitator_id and by_id != review.owner_id:
        raise CommandError("forbidden", N_("Only the review's owner can take others off the team."))
    row = session.get(ReviewFacilitator, (review.id, facilitator_id))
    if row is None:
        raise CommandError("not_found", N_("They are not on this review's team."))
    email = session.exec(select(Facilitator.email).where(Facilitator.id == facilitator_id)).one()
    session.delete(row)
    action = Action.TEAM_LEAVE if by_id == facilitator_id else Action.TEAM_REMOVE
    _audit(session, review.id, by_id, action, member_id=facilitator_id, email=email)
    return email


def remove_account(session: Session, email: str) -> tuple[int, list[int]]:
    """Delete a facilitator account: its sign-ins, team places and waiting invitations.

    Refused while it owns a review (someone must stay answerable for it). Their cards keep
    their words but no longer name the account. Answers the account's id and the reviews
    it was on. Every review it left, and the server's own log, get an audit entry.
    """
    facilitator = session.exec(
        select(Facilitator).where(Facilitator.email == email.strip().lower())
    ).first()
    if facilitator is None or facilitator.id is None:
        raise CommandError("not_found", N_("No facilitator account has that email."))
    fid = facilitator.id
    owned = session.exec(select(Review.id).where(Review.owner_id == fid)).all()
    if owned:
        ids = ", ".join(str(i) for i in sorted(int(r) for r in owned if r is not None))
        raise CommandError(
            "conflict",
            N_(
                "%(email)s owns reviews %(ids)s. Delete each of them from its console "
                "first (export the record before you do), then remove the account."
            ),
            email=facilitator.email,
            ids=ids,
        )
    reviews = sorted(
        int(r)
        for r in session.exec(
            select(ReviewFacilitator.review_id).where(ReviewFacilitator.facilitator_id == fid)
        ).all()
    )
    for review_id in reviews:
        _audit(session, review_id, fid, Action.TEAM_ACCOUNT_REMOVED, email=facilitator.email)
    session.execute(delete(AuthToken).where(col(AuthToken.facilitator_id) == fid))
    session.execute(delete(ReviewFacilitator).where(col(ReviewFacilitator.facilitator_id) == fid))
    session.execute(delete(Invitation).where(col(Invitation.email) == facilitator.email))
    for card in session.exec(select(Card).where(Card.facilitator_id == fid)).all():
        card.facilitator_id = None
        session.add(card)
    # Names the account by id only: the email goes with the account.
    _audit(session, None, fid, Action.FACILITATOR_REMOVE)
    session.delete(facilitator)
    return fid, reviews


def reset_password(session: Session, email: str, password_hash: str) -> int:
    """Give an account a new password and end every sign-in it has (a running server closes
    its open consoles at its next rights check). Answers the account's id."""
    facilitator = session.exec(
        select(Facilitator).where(Facilitator.email == email.strip().lower())
    ).first()
    if facilitator is None or facilitator.id is None:
        raise CommandError("not_found", N_("No facilitator account has that email."))
    facilitator.password_hash = password_hash
    session.add(facilitator)
    session.execute(delete(AuthToken).where(col(AuthToken.facilitator_id) == facilitator.id))
    _audit(session, None, facilitator.id, Action.FACILITATOR_PASSWORD_RESET)
    return facilitator.id


@dataclass(frozen=True)
class Account:
    """One facilitator account, as `facilitator list` shows it."""

    email: str
    created_at: str
    owns: int
    on_teams: int
    last_sign_in: str | None


def accounts(session: Session) -> list[Account]:
    """Every facilitator account, by email, with what it runs and when it last signed in."""
    found = []
    for facilitator in session.exec(select(Facilitator).order_by(col(Facilitator.email))).all():
        fid = facilitator.id
        owns = session.exec(select(func.count()).where(Review.owner_id == fid)).one()
        teams = session.exec(
            select(func.count()).where(ReviewFacilitator.facilitator_id == fid)
        ).one()
        last = session.exec(
            select(func.max(AuthToken.created_at)).where(AuthToken.facilitator_id == fid)
        ).one()
        found.append(
            Account(
                email=facilitator.email,
                created_at=iso(facilitator.created_at) or "",
                owns=int(owns),
                on_teams=int(teams),
                last_sign_in=iso(last) if last else None,
            )
        )
    return found


def _audit(
    session: Session, review_id: int | None, facilitator_id: int, action: Action, **detail: Any
) -> None:
    record(session, action, review_id=review_id, facilitator_id=facilitator_id, **detail)
