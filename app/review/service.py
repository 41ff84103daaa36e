"""Create reviews, let people join, and apply every command through one path.

`apply_command` is the whole of "decide and record": rights, status, phase, lock and
budget rules, then one event appended to the log (`app.review.log`) in the same
transaction as the state it changes. Delivering the event is the caller's business.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from app.db import Database
from app.models import (
    Appreciation,
    AuditEntry,
    Card,
    Concern,
    Event,
    KeepOut,
    Participant,
    Prompt,
    Review,
    ReviewFacilitator,
    Theme,
    Vote,
    VotingRound,
    utcnow,
)
from app.privacy.keep_out import apply_keep_out
from app.privacy.screening import REASONS, screen_kinds, screen_text
from app.review import commands as c
from app.review import log, rules
from app.review.errors import CommandError
from app.review.identity import Identity
from app.review.views import (
    card_view,
    concern_view,
    is_public,
    iso,
    participant_view,
    prompt_view,
    review_header,
    round_tallies,
    round_view,
    setting,
    tallies_hidden,
    theme_view,
)
from app.security import CLOSE_LEFT_TEAM, facilitator_right_ended

# Who may send what. Everything not listed for participants is the facilitator's alone.
PARTICIPANT_COMMANDS = frozenset(
    {"contribute", "edit", "withdraw", "appreciate", "vote", "unvote", "raise_concern"}
)
# Commands a participant may still send while input is locked.
ALLOWED_WHILE_LOCKED = frozenset({"withdraw", "appreciate", "vote", "unvote", "raise_concern"})
# A worry or a change of mind cannot wait for the morning: these work while paused too.
ALLOWED_WHILE_NOT_LIVE = frozenset({"withdraw", "raise_concern"})
PARTICIPANT_ONLY = frozenset({"appreciate", "vote", "unvote", "raise_concern"})

# Every free-text field of a command: each goes through the review's keep-out list on entry.
FREE_TEXT: dict[str, tuple[str, ...]] = {
    "contribute": ("text", "owner"),
    "edit": ("text", "owner"),
    "raise_concern": ("text",),
    "add_prompt": ("text",),
    "add_theme": ("name",),
    "rename_theme": ("name",),
    "moderate": ("text", "owner"),
    "pause": ("message",),
    "update_review": ("title", "outcome", "case_ref"),
}
# A facilitator's fields that the room sees, by what a person calls them. Screening can't
# hold these for someone to check (the facilitator is that someone), so a field that looks
# as if it identifies someone is refused, saying what was found.
SCREENED_FIELDS: dict[tuple[str, str], str] = {
    ("add_prompt", "text"): "question",
    ("add_theme", "name"): "theme name",
    ("rename_theme", "name"): "theme name",
    ("pause", "message"): "pause message",
    ("update_review", "title"): "title",
    ("update_review", "outcome"): "outcome",
    ("update_review", "case_ref"): "case reference",
}


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of an accepted command: its ack seq, and the new event (None on a retry)."""

    seq: int
    event: Event | None


def new_code() -> str:
    """A join code a person can read off a screen and type."""
    return "".join(secrets.choice(rules.CODE_ALPHABET) for _ in range(rules.CODE_LENGTH))


def normalise_code(raw: str) -> str:
    """A typed code in canonical form: spaces and dashes dropped, upper case."""
    return "".join(ch for ch in raw.upper() if ch.isalnum())[:32]


def create_review(
    session: Session,
    owner_id: int,
    *,
    title: str,
    case_ref: str,
    outcome: str = "",
    starts_on: date | None = None,
    days: int = 1,
    settings: dict[str, Any] | None = None,
    retention_days: int = 365,
) -> Review:
    """A new draft review with the default questions of each phase."""
    merged = dict(rules.DEFAULT_SETTINGS) | (settings or {})
    for _ in range(10):
        code = new_code()
        if session.exec(select(Review.id).where(Review.code == code)).first() is None:
            break
    review = Review(
        code=code,
        title=title,
        case_ref=case_ref,
        outcome=outcome,
        starts_on=starts_on,
        days=days,
        settings=merged,
        epoch=secrets.token_hex(8),
        screen_nonce=secrets.token_hex(8),
        owner_id=owner_id,
        retention_days=retention_days,
    )
    session.add(review)
    session.flush()
    assert review.id is not None
    session.add(ReviewFacilitator(review_id=review.id, facilitator_id=owner_id))
    first_prompt: Prompt | None = None
    for phase, texts in rules.DEFAULT_PROMPTS.items():
        for position, text in enumerate(texts):
            prompt = Prompt(review_id=review.id, phase=phase, text=text, position=position)
            session.add(prompt)
            if first_prompt is None:
                first_prompt = prompt
    session.flush()
    assert first_prompt is not None
    review.prompt_id = first_prompt.id
    session.add(review)
    return review


def join_review(
    session: Session, review: Review, *, role: str, name: str, table: str, token_hash: str
) -> tuple[Participant, Event]:
    """Add a participant and log that they joined."""
    if review.status == "closed":
        raise CommandError("closed", "This review has closed.")
    assert review.id is not None
    participant = Participant(
        review_id=review.id, role=role, name=name, table_label=table, token_hash=token_hash
    )
    session.add(participant)
    session.flush()
    assert participant.id is not None
    event = log.append(
        session,
        review,
        "participant.joined",
        {"participant": participant_view(participant, review, audience="facilitator")},
        public=(
            "participant.joined",
            {"participant": participant_view(participant, review, audience="participant")},
        ),
        personal=(
            participant.id,
            {"participant": participant_view(participant, review, audience="facilitator")},
        ),
        actor=f"p:{participant.id}",
        cid=None,
    )
    return participant, event


@dataclass(frozen=True, slots=True)
class Prepared:
    """A command with the keep-out list applied to its text, and what screening found.

    Made before the write transaction opens, so that no text, however long or hostile,
    is scanned while other rooms' commands wait for the lock.
    """

    command: c.Command
    # Why a participant's card is held (screening's plain-words reasons); empty when clear.
    reasons: tuple[str, ...] = ()


def screen_facilitator_text(label: str, text: str) -> None:
    """Refuse a facilitator's field the room will see if it seems to identify someone."""
    kinds = screen_kinds(text)
    if not kinds:
        return
    found = " and ".join(REASONS[kind].removeprefix("it ") for kind in kinds)
    advice = (
        "Use the case reference instead."
        if label == "title"
        else "Please take it out: everyone in the room will see this."
    )
    raise CommandError("invalid", f"The {label} {found}. {advice}")


def prepare_command(db: Database, identity: Identity, command: c.Command) -> Prepared:
    """Apply the keep-out list to every free-text field and screen it, outside any lock."""
    fields = FREE_TEXT.get(command.type, ())
    values = {name: getattr(command, name) for name in fields}
    values = {name: value for name, value in values.items() if isinstance(value, str) and value}
    if not values:
        return Prepared(command)
    # The list read here may change before the write; a card sent in that moment uses the
    # list as it was when it arrived, as it would have a moment earlier.
    with db.read() as session:
        terms = session.exec(
            select(KeepOut.term, KeepOut.replacement).where(KeepOut.review_id == identity.review_id)
        ).all()
    if terms:
        values = {name: apply_keep_out(value, terms) for name, value in values.items()}
        command = command.model_copy(update=values)
    reasons: tuple[str, ...] = ()
    if identity.audience == "facilitator":
        for name, value in values.items():
            label = SCREENED_FIELDS.get((command.type, name))
            if label is not None:
                screen_facilitator_text(label, value)
    elif command.type in ("contribute", "edit"):
        # The owner of a deliver card is shown with it: it is screened with the text.
        screened = "\n".join(values[name] for name in ("text", "owner") if name in values)
        reasons = tuple(screen_text(screened))
    return Prepared(command, reasons)


def apply_command(db: Database, identity: Identity, command: c.Command) -> Outcome:
    """Check and record one command; the ack's seq is that of the event it wrote."""
    prepared = prepare_command(db, identity, command)
    try:
        with db.write() as session:
            return _apply(session, identity, prepared)
    except IntegrityError:
        # Two copies of one command raced (two workers, a double-tap): the first one's
        # event stands, and this copy answers the same ack.
        with db.read() as session:
            seq = log.seq_for_cid(session, identity.review_id, identity.actor, command.cid)
        if seq is None:
            raise
        return Outcome(seq, None)


def _apply(session: Session, identity: Identity, prepared: Prepared) -> Outcome:
    command = prepared.command
    seq = log.seq_for_cid(session, identity.review_id, identity.actor, command.cid)
    if seq is not None:
        return Outcome(seq, None)
    # FOR UPDATE orders concurrent writers on PostgreSQL; SQLite's BEGIN IMMEDIATE already has.
    review = session.exec(
        select(Review).where(Review.id == identity.review_id).with_for_update()
    ).first()
    if review is None:
        raise CommandError("not_found", "This review no longer exists.")
    if identity.participant_id is not None:
        # An erased participant's socket may still be open on another worker.
        author = session.get(Participant, identity.participant_id)
        if author is None or author.erased_at is not None:
            raise CommandError(
                "unauthorized", "Your contributions were erased; join again to take part."
            )
    if identity.audience == "facilitator":
        # Checked on every command, not only at hello: a socket can outlive its sign-in.
        ended = facilitator_right_ended(session, identity)
        if ended == CLOSE_LEFT_TEAM:
            raise CommandError("unauthorized", "You are no longer on this review's team.")
        if ended is not None:
            raise CommandError("unauthorized", "Your sign-in has ended. Please sign in again.")
    _check_rights(identity, command.type)
    _check_status(review, identity, command.type)
    handler = _HANDLERS[command.type]
    ctx = _Context(session, review, identity, command.cid, prepared.reasons)
    handler(ctx, command)
    assert ctx.event is not None, f"{command.type} wrote no event"
    return Outcome(ctx.event.seq, ctx.event)


def _check_rights(identity: Identity, kind: str) -> None:
    if identity.audience == "screen":
        raise CommandError("forbidden", "The screen is read-only.")
    if identity.audience == "participant" and kind not in PARTICIPANT_COMMANDS:
        raise CommandError("forbidden", "Only a facilitator can do that.")
    if identity.audience == "facilitator" and kind in PARTICIPANT_ONLY:
        raise CommandError("forbidden", "Only participants can do that.")


def _check_status(review: Review, identity: Identity, kind: str) -> None:
    if review.status == "closed":
        raise CommandError("closed", "This review has closed; nothing more can be added.")
    if identity.audience != "participant":
        return
    if kind in ALLOWED_WHILE_NOT_LIVE:
        return
    if review.status == "draft":
        raise CommandError("not_live", "The review has not started yet.")
    if review.status == "paused":
        raise CommandError("not_live", review.pause_message or "The review is paused.")
    if review.locked and kind not in ALLOWED_WHILE_LOCKED:
        raise CommandError("locked", "The facilitator has closed input for now.")


class _Context:
    """What a handler works with: the open transaction, the locked review, the actor."""

    def __init__(
        self,
        session: Session,
        review: Review,
        identity: Identity,
        cid: str,
        reasons: tuple[str, ...] = (),
    ) -> None:
        self.session = session
        self.review = review
        self.identity = identity
        self.cid = cid
        # What screening found in the command's text, before the transaction opened.
        self.reasons = reasons
        self.event: Event | None = None

    @property
    def review_id(self) -> int:
        assert self.review.id is not None
        return self.review.id

    def emit(
        self,
        kind: str,
        data: dict[str, Any],
        *,
        public: log.PublicView | None = None,
        personal: log.PersonalView | None = None,
        card_id: int | None = None,
    ) -> None:
        assert self.event is None, "one command writes one event"
        self.event = log.append(
            self.session,
            self.review,
            kind,
            data,
            public=public,
            personal=personal,
            actor=self.identity.actor,
            cid=self.cid,
            card_id=card_id,
        )

    def emit_review_updated(self, *changed: str) -> None:
        header = review_header(self.review, audience="facilitator")
        payload = {"review": header, "changed": list(changed)}
        # The room's copy carries the case reference where the title was.
        public = {"review": review_header(self.review), "changed": list(changed)}
        self.emit("review.updated", payload, public=("review.updated", public))

    def audit(self, action: str, **detail: Any) -> None:
        self.session.add(
            AuditEntry(
                review_id=self.review.id,
                facilitator_id=self.identity.facilitator_id,
                action=action,
                detail=detail,
            )
        )

    def card(self, card_id: int) -> Card:
        card = self.session.get(Card, card_id)
        if card is None or card.review_id != self.review.id:
            raise CommandError("not_found", "No such card.")
        return card

    def author(self, card: Card) -> Participant | None:
        if card.participant_id is None:
            return None
        return self.session.get(Participant, card.participant_id)

    def open_round(self) -> VotingRound | None:
        return self.session.exec(
            select(VotingRound).where(
                VotingRound.review_id == self.review.id, VotingRound.status == "open"
            )
        ).first()


# --- cards -----------------------------------------------------------------------------------


def _emit_card(
    ctx: _Context, kind: str, card: Card, *, was_public: bool, words_changed: bool = False
) -> None:
    """Log a card change; each audience gets the kind that keeps its copy right.

    When the card's words changed, or an audience lost sight of it, the log's earlier
    views of it are rewritten first: a replay shows no more than the card's row does now.
    """
    author = ctx.author(card)
    review = ctx.review
    now_public = is_public(card)
    if words_changed or (was_public and not now_public) or card.status == "withdrawn":
        log.rewrite_card(ctx.session, card)
    data = {"card": card_view(card, review, author, audience="facilitator")}
    public: log.PublicView | None = None
    if now_public:
        view = card_view(card, review, author, audience="participant")
        public = ("card.updated" if was_public else "card.added", {"card": view})
    elif was_public:
        public = ("card.removed", {"card_id": card.id})
    personal: log.PersonalView | None = None
    if author is not None and author.id is not None:
        if card.status == "withdrawn":
            personal = (author.id, {"card_id": card.id})
        else:
            mine = card_view(card, review, author, audience="participant", mine=True)
            personal = (author.id, {"card": mine})
    ctx.emit(kind, data, public=public, personal=personal, card_id=card.id)


def _screened_status(ctx: _Context) -> tuple[str, str]:
    """A participant's card status and hold reason, from the moderation setting and screening.

    Screening ran before the transaction opened (prepare_command); its reasons are here.
    """
    if ctx.identity.audience == "facilitator":
        return "visible", ""
    reasons = ctx.reasons
    if reasons:
        return "held", "Held for the facilitator to check, because " + " and ".join(reasons) + "."
    if setting(ctx.review, "moderation") == "pre":
        return "held", ""
    return "visible", ""


def _contribute(ctx: _Context, cmd: c.Contribute) -> None:
    review = ctx.review
    prompt = ctx.session.get(Prompt, cmd.prompt_id)
    if prompt is None or prompt.review_id != review.id:
        raise CommandError("not_found", "No such question.")
    if prompt.phase != review.phase:
        raise CommandError(
            "wrong_phase",
            f"That question belongs to {prompt.phase}; the room is in {review.phase}.",
        )
    if (cmd.owner or cmd.due) and review.phase != "deliver":
        raise CommandError("invalid", "owner and due belong to the deliver phase only.")
    text = cmd.text
    status, reason = _screened_status(ctx)
    now = utcnow()
    card = Card(
        review_id=ctx.review_id,
        participant_id=ctx.identity.participant_id,
        facilitator_id=ctx.identity.facilitator_id,
        phase=prompt.phase,
        prompt_id=prompt.id,  # type: ignore[arg-type]
        text=text,
        status=status,
        hold_reason=reason,
        owner=cmd.owner,
        due=cmd.due,
        created_at=now,
        updated_at=now,
    )
    ctx.session.add(card)
    ctx.session.flush()
    _emit_card(ctx, "card.added", card, was_public=False)


def _own_card(ctx: _Context, card_id: int) -> Card:
    card = ctx.card(card_id)
    if card.status == "withdrawn":
        raise CommandError("not_found", "That card was withdrawn.")
    if ctx.identity.audience == "participant":
        if card.participant_id != ctx.identity.participant_id:
            raise CommandError("forbidden", "You can change only your own cards.")
    return card


def _edit(ctx: _Context, cmd: c.Edit) -> None:
    card = _own_card(ctx, cmd.card_id)
    if ctx.identity.audience == "participant" and card.phase != ctx.review.phase:
        raise CommandError(
            "wrong_phase", "That card's phase is over, so it can no longer be edited."
        )
    if (cmd.owner is not None or cmd.due is not None) and card.phase != "deliver":
        raise CommandError("invalid", "owner and due belong to deliver cards only.")
    was_public = is_public(card)
    words = (card.text, card.owner)
    card.text = cmd.text
    if cmd.owner is not None:
        card.owner = cmd.owner
    if cmd.due is not None:
        card.due = cmd.due
    if ctx.identity.audience == "participant" and card.status != "hidden":
        # An edit is checked again, or editing would be a way round moderation.
        card.status, card.hold_reason = _screened_status(ctx)
    card.updated_at = utcnow()
    ctx.session.add(card)
    changed = words != (card.text, card.owner)
    _emit_card(ctx, "card.updated", card, was_public=was_public, words_changed=changed)


def _withdraw(ctx: _Context, cmd: c.Withdraw) -> None:
    card = _own_card(ctx, cmd.card_id)
    was_public = is_public(card)
    card.status = "withdrawn"
    card.updated_at = utcnow()
    if ctx.review.spotlight_card_id == card.id:
        ctx.review.spotlight_card_id = None
    ctx.session.add(card)
    _emit_card(ctx, "card.removed", card, was_public=was_public)


def _moderate(ctx: _Context, cmd: c.Moderate) -> None:
    card = ctx.card(cmd.card_id)
    if card.status == "withdrawn":
        raise CommandError("conflict", "That card was withdrawn by its author.")
    was_public = is_public(card)
    if cmd.action == "approve":
        if card.status != "held":
            raise CommandError("conflict", "Only a held card can be approved.")
        card.status, card.hold_reason = "visible", ""
    elif cmd.action == "hide":
        card.status = "hidden"
        if ctx.review.spotlight_card_id == card.id:
            ctx.review.spotlight_card_id = None
    elif cmd.action == "show":
        if card.status != "hidden":
            raise CommandError("conflict", "Only a hidden card can be shown.")
        card.status = "visible"
    else:
        if not cmd.text and cmd.owner is None:
            raise CommandError("invalid", "text or owner: one is required to redact.")
        if cmd.owner is not None and card.phase != "deliver":
            raise CommandError("invalid", "owner belongs to deliver cards only.")
        if cmd.text:
            card.text = cmd.text
        if cmd.owner is not None:
            card.owner = cmd.owner
        card.redacted = True
    card.updated_at = utcnow()
    ctx.session.add(card)
    ctx.audit(f"moderate.{cmd.action}", card_id=card.id)
    redacted = cmd.action == "redact"
    _emit_card(ctx, "card.updated", card, was_public=was_public, words_changed=redacted)


def _appreciate(ctx: _Context, cmd: c.Appreciate) -> None:
    card = ctx.card(cmd.card_id)
    me = ctx.identity.participant_id
    assert me is not None
    if not is_public(card):
        raise CommandError("not_found", "No such card.")
    if card.participant_id == me:
        raise CommandError("invalid", "You cannot appreciate your own card.")
    if ctx.session.get(Appreciation, (card.id, me)) is not None:
        raise CommandError("conflict", "You have already appreciated this card.")
    ctx.session.add(Appreciation(card_id=card.id, participant_id=me))  # type: ignore[arg-type]
    card.appreciations += 1
    ctx.session.add(card)
    public = {"card_id": card.id, "count": card.appreciations}
    ctx.emit(
        "appreciation.added",
        {**public, "participant_id": me},
        public=("appreciation.added", public),
        personal=(me, {**public, "mine": True}),
        card_id=card.id,
    )


# --- voting ----------------------------------------------------------------------------------


def _check_target(ctx: _Context, voting: VotingRound, target_id: int) -> None:
    if voting.targets == "cards":
        card = ctx.session.get(Card, target_id)
        ok = card is not None and card.review_id == ctx.review.id and card.phase == voting.phase
        if not ok or not is_public(card):  # type: ignore[arg-type]
            raise CommandError("not_found", "That card is not in this voting round.")
    else:
        theme = ctx.session.get(Theme, target_id)
        if theme is None or theme.review_id != ctx.review.id or theme.phase != voting.phase:
            raise CommandError("not_found", "That theme is not in this voting round.")


def _vote(ctx: _Context, cmd: c.VoteCmd | c.Unvote) -> None:
    voting = ctx.open_round()
    if voting is None or voting.id is None:
        raise CommandError("voting_closed", "Voting is not open.")
    me = ctx.identity.participant_id
    assert me is not None
    _check_target(ctx, voting, cmd.target_id)
    vote = ctx.session.get(Vote, (voting.id, me, cmd.target_id)) or Vote(
        round_id=voting.id, participant_id=me, target_id=cmd.target_id, count=0
    )
    used = ctx.session.exec(
        select(func.coalesce(func.sum(Vote.count), 0)).where(
            Vote.round_id == voting.id, Vote.participant_id == me
        )
    ).one()
    if cmd.type == "vote":
        if used >= voting.budget:
            raise CommandError(
                "budget_exhausted", f"You have used all {voting.budget} of your votes."
            )
        if vote.count >= setting(ctx.review, "max_votes_per_target"):
            raise CommandError(
                "budget_exhausted", "You have put as many votes on this as one person may."
            )
        vote.count += 1
        delta = 1
    else:
        if vote.count <= 0:
            raise CommandError("invalid", "You have no vote on that to take back.")
        vote.count -= 1
        delta = -1
    ctx.session.add(vote)
    ctx.session.flush()
    total = round_tallies(ctx.session, voting.id).get(cmd.target_id, 0)
    hidden = tallies_hidden(ctx.review, voting)
    public = {"round_id": voting.id, "target_id": cmd.target_id, "votes": total}
    personal = {
        "round_id": voting.id,
        "target_id": cmd.target_id,
        "mine": vote.count,
        "votes_left": voting.budget - used - delta,
    }
    if not hidden:
        personal["votes"] = total
    ctx.emit(
        "tally.updated",
        {**public, "participant_id": me, "delta": delta},
        public=None if hidden else ("tally.updated", public),
        personal=(me, personal),
        card_id=cmd.target_id if voting.targets == "cards" else None,
    )


def _open_voting(ctx: _Context, cmd: c.OpenVoting) -> None:
    if ctx.open_round() is not None:
        raise CommandError("conflict", "A voting round is already open; close it first.")
    voting = VotingRound(
        review_id=ctx.review_id,
        phase=cmd.phase or ctx.review.phase,
        targets=cmd.targets,
        budget=cmd.budget or int(setting(ctx.review, "vote_budget")),
    )
    ctx.session.add(voting)
    ctx.session.flush()
    view = round_view(voting, {})
    hidden_view = round_view(voting, None if tallies_hidden(ctx.review, voting) else {})
    ctx.emit("voting.opened", {"round": view}, public=("voting.opened", {"round": hidden_view}))


def _latest_round(ctx: _Context, statuses: tuple[str, ...]) -> VotingRound:
    voting = ctx.session.exec(
        select(VotingRound)
        .where(VotingRound.review_id == ctx.review.id, col(VotingRound.status).in_(statuses))
        .order_by(col(VotingRound.id).desc())
    ).first()
    if voting is None or voting.id is None:
        raise CommandError("voting_closed", "There is no voting round to do that to.")
    return voting


def _close_voting(ctx: _Context, cmd: c.CloseVoting) -> None:
    voting = _latest_round(ctx, ("open",))
    voting.status, voting.closed_at = "closed", utcnow()
    ctx.session.add(voting)
    tallies = round_tallies(ctx.session, voting.id)  # type: ignore[arg-type]
    hidden = tallies_hidden(ctx.review, voting)
    ctx.emit(
        "voting.closed",
        {"round": round_view(voting, tallies)},
        public=("voting.closed", {"round": round_view(voting, None if hidden else tallies)}),
    )


def _reveal(ctx: _Context, cmd: c.Reveal) -> None:
    voting = _latest_round(ctx, ("open", "closed"))
    now = utcnow()
    voting.closed_at = voting.closed_at or now
    voting.status, voting.revealed_at = "revealed", now
    ctx.session.add(voting)
    payload = {"round": round_view(voting, round_tallies(ctx.session, voting.id))}  # type: ignore[arg-type]
    ctx.emit("voting.revealed", payload, public=("voting.revealed", payload))


# --- themes ----------------------------------------------------------------------------------


def _theme(ctx: _Context, theme_id: int) -> Theme:
    theme = ctx.session.get(Theme, theme_id)
    if theme is None or theme.review_id != ctx.review.id:
        raise CommandError("not_found", "No such theme.")
    return theme


def _add_theme(ctx: _Context, cmd: c.AddTheme) -> None:
    theme = Theme(review_id=ctx.review_id, phase=cmd.phase or ctx.review.phase, name=cmd.name)
    ctx.session.add(theme)
    ctx.session.flush()
    payload = {"theme": theme_view(theme)}
    ctx.emit("theme.added", payload, public=("theme.added", payload))


def _rename_theme(ctx: _Context, cmd: c.RenameTheme) -> None:
    theme = _theme(ctx, cmd.theme_id)
    theme.name = cmd.name
    ctx.session.add(theme)
    log.rewrite_theme(ctx.session, theme)
    payload = {"theme": theme_view(theme)}
    ctx.emit("theme.updated", payload, public=("theme.updated", payload))


def _assign(ctx: _Context, cmd: c.Assign) -> None:
    card = ctx.card(cmd.card_id)
    if cmd.theme_id is not None:
        theme = _theme(ctx, cmd.theme_id)
        if theme.phase != card.phase:
            raise CommandError(
                "invalid", f"That theme belongs to {theme.phase}; the card to {card.phase}."
            )
    card.theme_id = cmd.theme_id
    card.updated_at = utcnow()
    ctx.session.add(card)
    public = is_public(card)
    _emit_card(ctx, "card.updated", card, was_public=public)


# --- steering --------------------------------------------------------------------------------


def _set_phase(ctx: _Context, cmd: c.SetPhase) -> None:
    review = ctx.review
    review.phase = cmd.phase
    first = ctx.session.exec(
        select(Prompt.id)
        .where(Prompt.review_id == review.id, Prompt.phase == cmd.phase)
        .order_by(col(Prompt.position), col(Prompt.id))
    ).first()
    review.prompt_id = first
    review.spotlight_card_id = None
    ctx.emit_review_updated("phase", "prompt_id", "spotlight_card_id")


def _set_prompt(ctx: _Context, cmd: c.SetPrompt) -> None:
    prompt = ctx.session.get(Prompt, cmd.prompt_id)
    if prompt is None or prompt.review_id != ctx.review.id:
        raise CommandError("not_found", "No such question.")
    ctx.review.prompt_id = prompt.id
    ctx.review.phase = prompt.phase
    ctx.emit_review_updated("phase", "prompt_id")


def _add_prompt(ctx: _Context, cmd: c.AddPrompt) -> None:
    position = ctx.session.exec(
        select(func.coalesce(func.max(Prompt.position), -1)).where(
            Prompt.review_id == ctx.review.id, Prompt.phase == cmd.phase
        )
    ).one()
    prompt = Prompt(review_id=ctx.review_id, phase=cmd.phase, text=cmd.text, position=position + 1)
    ctx.session.add(prompt)
    ctx.session.flush()
    payload = {"prompt": prompt_view(prompt)}
    ctx.emit("prompt.added", payload, public=("prompt.added", payload))


def _start_timer(ctx: _Context, cmd: c.StartTimer) -> None:
    ctx.review.timer_seconds = cmd.seconds
    ctx.review.timer_ends_at = utcnow() + timedelta(seconds=cmd.seconds)
    payload = {"seconds": cmd.seconds, "ends_at": iso(ctx.review.timer_ends_at)}
    ctx.emit("timer.started", payload, public=("timer.started", payload))


def _stop_timer(ctx: _Context, cmd: c.StopTimer) -> None:
    ctx.review.timer_seconds = None
    ctx.review.timer_ends_at = None
    ctx.emit("timer.stopped", {}, public=("timer.stopped", {}))


def _lock(ctx: _Context, cmd: c.Lock | c.Unlock) -> None:
    ctx.review.locked = cmd.type == "lock"
    ctx.emit_review_updated("locked")


def _spotlight(ctx: _Context, cmd: c.Spotlight) -> None:
    if cmd.card_id is not None:
        card = ctx.card(cmd.card_id)
        if not is_public(card):
            raise CommandError("conflict", "Only a card the room can see can be spotlit.")
    ctx.review.spotlight_card_id = cmd.card_id
    ctx.emit_review_updated("spotlight_card_id")


def _blank(ctx: _Context, cmd: c.Blank) -> None:
    ctx.review.blank = cmd.on
    ctx.emit_review_updated("blank")


def _transition(ctx: _Context, cmd: c.Start | c.Pause | c.Resume | c.Close) -> None:
    review = ctx.review
    allowed = {
        "start": ("draft",),
        "pause": ("live",),
        "resume": ("paused",),
        "close": ("draft", "live", "paused"),
    }
    if review.status not in allowed[cmd.type]:
        raise CommandError("conflict", f"A review that is {review.status} cannot {cmd.type}.")
    now = utcnow()
    changed = ["status"]
    if cmd.type == "start":
        review.status, review.started_at = "live", now
    elif cmd.type == "pause":
        review.status, review.pause_message = "paused", cmd.message
        changed.append("pause_message")
    elif cmd.type == "resume":
        review.status, review.pause_message = "live", ""
        changed.append("pause_message")
    else:
        review.status, review.closed_at = "closed", now
        review.timer_ends_at = review.timer_seconds = None
        for voting in ctx.session.exec(
            select(VotingRound).where(
                VotingRound.review_id == review.id, VotingRound.status == "open"
            )
        ):
            voting.status, voting.closed_at = "closed", now
            ctx.session.add(voting)
        ctx.audit("review.close")
    ctx.emit_review_updated(*changed)


def _update_review(ctx: _Context, cmd: c.UpdateReview) -> None:
    review = ctx.review
    changed = []
    for name in ("title", "outcome", "case_ref"):
        value = getattr(cmd, name)
        if value is not None and value != getattr(review, name):
            setattr(review, name, value)
            changed.append(name)
    ctx.audit("review.update", fields=changed)
    ctx.emit_review_updated(*changed)


def _raise_concern(ctx: _Context, cmd: c.RaiseConcern) -> None:
    me = ctx.identity.participant_id
    assert me is not None
    concern = Concern(review_id=ctx.review_id, participant_id=me, text=cmd.text)
    ctx.session.add(concern)
    ctx.session.flush()
    author = ctx.session.get(Participant, me)
    ctx.emit(
        "concern.raised",
        {"concern": concern_view(concern, author, audience="facilitator")},
        personal=(me, {"concern": concern_view(concern, None, audience="participant")}),
    )


_HANDLERS: dict[str, Callable[[_Context, Any], None]] = {
    "contribute": _contribute,
    "edit": _edit,
    "withdraw": _withdraw,
    "appreciate": _appreciate,
    "vote": _vote,
    "unvote": _vote,
    "raise_concern": _raise_concern,
    "set_phase": _set_phase,
    "set_prompt": _set_prompt,
    "add_prompt": _add_prompt,
    "start_timer": _start_timer,
    "stop_timer": _stop_timer,
    "lock": _lock,
    "unlock": _lock,
    "open_voting": _open_voting,
    "close_voting": _close_voting,
    "reveal": _reveal,
    "add_theme": _add_theme,
    "rename_theme": _rename_theme,
    "assign": _assign,
    "moderate": _moderate,
    "spotlight": _spotlight,
    "blank": _blank,
    "start": _transition,
    "pause": _transition,
    "resume": _transition,
    "close": _transition,
    "update_review": _update_review,
}
assert set(_HANDLERS) == c.COMMAND_TYPES
