"""The evaluation pulse: did the review work for the people in it?

Two short check-ins on phones, one at the start of day one and one at the close. The
facilitator opens each (rewording its statements first if they wish) and closes it. Each
person answers once, 1 to 5 for each statement (any may be skipped), and may leave one word
for the day.

Anonymous by construction, not by promise:
- who answered (`PulseRespondent`: pulse and participant, no time, no answer) is kept apart
  from what was answered (`PulseAnswer`: the voice group, the values and the word, with a
  random key and no time). The one join between them would be their order, so answers carry
  no rising key, every reader orders them by their content, and closing a pulse rewrites
  its answers in that order (so not even the database's own row order follows the room's).
- the event an answer writes carries only how many have answered, never a value, so the
  log (which does know who sent what, and when) cannot be read against the answers.
- results exist only once a pulse is closed: nobody watches a mean move as one phone taps.
- a voice group's results are shown only where at least `MIN_ANSWERS` of its people answered
  (the review's `small_group` if higher); everyone's mean is shown only where what it hides
  is none or at least as many again, so it cannot be subtracted back to one person. The same
  rule holds on the console, the projector, every edition of the record and the evaluation
  export: a facilitator knows who the only child in the room is.

The start asks what people expect, the close what happened ("I expect to be blamed for
something" / "I felt blamed"; "I expect my voice to be heard" / "My voice was heard"), so
each statement's start and close read against each other. For `blame` lower is better.
"""

from __future__ import annotations

import secrets

from sqlmodel import Session, col, delete, func, select

from app.i18n import N_, _
from app.models import Participant, Pulse, PulseAnswer, PulseRespondent, utcnow
from app.review import commands as c
from app.review.audit import Action
from app.review.context import Context
from app.review.errors import CommandError
from app.review.pulse_results import DEFAULT_STATEMENTS, load_answers, pulses_view, review_pulses
from app.review.voices import review_voice_group


def _emit_pulses(ctx: Context) -> None:
    facilitator = {"pulses": pulses_view(ctx.session, ctx.review, audience="facilitator")}
    room = {"pulses": pulses_view(ctx.session, ctx.review, audience="room")}
    ctx.emit("pulse.updated", facilitator, public=("pulse.updated", room))


def _pulse(ctx: Context, moment: str) -> Pulse | None:
    return ctx.session.exec(
        select(Pulse).where(Pulse.review_id == ctx.review_id, Pulse.moment == moment)
    ).first()


def _close(session: Session, pulse: Pulse) -> None:
    """Close a pulse and rewrite its answers in content order, with new random keys."""
    assert pulse.id is not None
    pulse.status = "closed"
    pulse.closed_at = utcnow()
    session.add(pulse)
    kept = load_answers(session, pulse.id)
    session.execute(delete(PulseAnswer).where(col(PulseAnswer.pulse_id) == pulse.id))
    session.flush()
    for a in kept:
        session.add(
            PulseAnswer(
                id=secrets.token_hex(16),
                pulse_id=pulse.id,
                voice_group=a.voice_group,
                answers=a.answers,
                word=a.word,
            )
        )
    session.flush()


def open_pulse(ctx: Context, cmd: c.OpenPulse) -> None:
    """Open the start or close check-in on every phone (closing the other if it is open)."""
    pulse = _pulse(ctx, cmd.moment)
    for other in review_pulses(ctx.session, ctx.review_id):
        if other.moment != cmd.moment and other.status == "open":
            _close(ctx.session, other)
    if pulse is None:
        shown = any(p.shown for p in review_pulses(ctx.session, ctx.review_id))
        wording = {key: _(text) for key, text in DEFAULT_STATEMENTS[cmd.moment].items()}
        pulse = Pulse(review_id=ctx.review_id, moment=cmd.moment, statements=wording, shown=shown)
    elif cmd.statements:
        answered = ctx.session.exec(
            select(func.count()).where(PulseRespondent.pulse_id == pulse.id)
        ).one()
        changed = any(pulse.statements.get(k) != v for k, v in cmd.statements.items())
        if answered and changed:
            raise CommandError(
                "conflict",
                N_("People have already answered this check-in, so its words stay as they are."),
            )
    if cmd.statements:
        pulse.statements = {**pulse.statements, **{str(k): v for k, v in cmd.statements.items()}}
    pulse.status = "open"
    pulse.opened_at = utcnow()
    pulse.closed_at = None
    ctx.session.add(pulse)
    ctx.session.flush()
    ctx.audit(Action.PULSE_OPEN, moment=cmd.moment)
    _emit_pulses(ctx)


def close_pulse(ctx: Context, cmd: c.ClosePulse) -> None:
    """Close a check-in: it takes no more answers, and its results can be seen."""
    pulse = _pulse(ctx, cmd.moment)
    if pulse is None or pulse.status != "open":
        raise CommandError("conflict", N_("That check-in is not open."))
    _close(ctx.session, pulse)
    ctx.audit(Action.PULSE_CLOSE, moment=cmd.moment)
    _emit_pulses(ctx)


def show_pulse(ctx: Context, cmd: c.ShowPulse) -> None:
    """Show the check-ins' results on the projector, or take them away."""
    pulses = review_pulses(ctx.session, ctx.review_id)
    if not pulses:
        raise CommandError("not_found", N_("Open a check-in first."))
    for pulse in pulses:
        pulse.shown = cmd.on
        ctx.session.add(pulse)
    ctx.session.flush()
    ctx.audit(Action.PULSE_SHOW if cmd.on else Action.PULSE_HIDE)
    _emit_pulses(ctx)


def answer_pulse(ctx: Context, cmd: c.AnswerPulse) -> None:
    """A phone's one answer: who answered and what was answered are written apart."""
    pulse = ctx.session.get(Pulse, cmd.pulse_id)
    if pulse is None or pulse.review_id != ctx.review_id:
        raise CommandError("not_found", N_("No such check-in."))
    if pulse.status != "open":
        raise CommandError("conflict", N_("This check-in has closed. Thank you all the same."))
    me = ctx.identity.participant_id
    assert me is not None
    assert pulse.id is not None
    # The review's row lock orders every command of the room, so this look and the write
    # below cannot interleave with a second answer from the same phone.
    if ctx.session.get(PulseRespondent, (pulse.id, me)) is not None:
        raise CommandError("conflict", N_("You have already answered this check-in. Thank you."))
    answers: dict[str, int] = {k: v for k, v in cmd.answers.items() if pulse.statements.get(k)}
    if not answers and not cmd.word:
        raise CommandError("invalid", N_("Please answer at least one statement, or leave a word."))
    if cmd.word and _is_a_name(ctx.session, ctx.review_id, cmd.word):
        raise CommandError(
            "invalid",
            N_("Your word looks like someone's name. Please choose another, or leave it empty."),
        )
    participant = ctx.session.get(Participant, me)
    assert participant is not None
    ctx.session.add(PulseRespondent(pulse_id=pulse.id, participant_id=me))
    ctx.session.add(
        PulseAnswer(
            id=secrets.token_hex(16),
            pulse_id=pulse.id,
            voice_group=review_voice_group(ctx.review.settings, participant.role),
            answers=answers,
            word=cmd.word,
        )
    )
    ctx.session.flush()
    answered = ctx.session.exec(
        select(func.count()).where(PulseRespondent.pulse_id == pulse.id)
    ).one()
    # How many have answered, never what: the log knows who sent this and when.
    data = {"pulse_id": pulse.id, "answered": int(answered)}
    ctx.emit(
        "pulse.answered",
        data,
        public=("pulse.answered", data),
        personal=(me, {**data, "mine": True}),
    )


def _is_a_name(session: Session, review_id: int, word: str) -> bool:
    """Whether the word is the first name of anyone in the review."""
    folded = word.casefold()
    names = session.exec(
        select(Participant.name).where(Participant.review_id == review_id, Participant.name != "")
    ).all()
    return any(name.casefold() == folded for name in names)
