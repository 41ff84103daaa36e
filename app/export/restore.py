"""Restore a review from a full JSON export, as a new review run by the importer alone.

Every row gets a new id; references between rows are mapped through the old ids. The
review gets a new join code, screen nonce and epoch, and participants get fresh token
hashes nobody holds (a restored room is a record, not a way back in for old phones). The
phase and status changes are written back as review.updated events so the restored
review's own record shows the same timeline.

What the file says about people outside it is not believed: the team is the importer
alone, the review is created now, and the file's audit entries are kept marked as
imported, tied to no account (the name they were recorded under kept as text).

The whole file is checked before anything is written, then written in short
transactions of at most CHUNK rows, so other rooms' commands never wait long behind an
import (on SQLite one writer holds the database at a time). Until the last transaction
the review has a join code no one can type and no team, so it cannot be seen or joined;
if the import fails part-way, what was written is deleted.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any, Literal, NoReturn, Protocol, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    TypeAdapter,
    ValidationError,
)
from sqlmodel import Session, col, delete, update

from app.db import Database
from app.export.actions_data import check_actions, restore_actions
from app.export.data import (
    MAX_ROWS,
    AgendaData,
    AuditData,
    ChangeData,
    ExportData,
)
from app.export.json import FORMAT_NAME
from app.export.pulse_data import restore_pulses
from app.export.record import SCHEMA_VERSION
from app.i18n import N_, _
from app.models import (
    Appreciation,
    AppreciationNote,
    AuditEntry,
    Card,
    Concern,
    ConsentAnswer,
    ConsentRound,
    Event,
    LetterDraft,
    Participant,
    Prompt,
    Proposition,
    PropositionTheme,
    Review,
    ReviewFacilitator,
    Theme,
    Vote,
    VotingRound,
    utcnow,
)
from app.privacy.retention import delete_review
from app.review import audit
from app.review.agenda import DEFAULT_TIMEZONE, Plan, is_timezone, remap_prompts
from app.review.fields import known_settings
from app.review.rooms import free_code
from app.review.views import review_header
from app.security import hash_token

T = TypeVar("T")


class _Keyed(Protocol):
    """A row of the file that other rows refer to by its old id."""

    @property
    def id(self) -> int: ...


K = TypeVar("K", bound=_Keyed)

# Rows written in one transaction: a few tens of milliseconds of the write lock.
CHUNK = 250
# Between chunks, an import steps aside for the room's own writes for up to this long.
YIELD_SECONDS = 0.05
# The join code of a review still being imported: "~" can never be typed into a code.
IMPORTING = "~"


class ExportDocument(BaseModel):
    model_config = ConfigDict(extra="ignore")

    format: Literal["lantern.session-record"]
    schema_version: int
    edition: Literal["full", "public"]
    # Checked part by part (see `_parse_data`), not in one call.
    data: dict[str, Any] | None = None


# Rows validated in one call. Validation holds the GIL throughout a call: a whole file in
# one call would stall the event loop (every other room) for a second or more.
VALIDATE_CHUNK = 500
_ADAPTERS: dict[str, TypeAdapter[Any]] = {
    name: TypeAdapter(info.annotation)
    for name, info in ExportData.model_fields.items()
    if info.annotation is not None  # every field of ExportData is annotated
}


class RestoreError(ValueError):
    """The document is not a full JSON export this version of Lantern can restore.

    Its message is marked for the catalog where it is raised and translated where it is
    answered (`translated`); `str()` gives it in the source language.
    """

    def __init__(self, message: str, **params: object) -> None:
        self.template = message
        self.params = params
        super().__init__(message % params if params else message)

    def translated(self) -> str:
        """The message in the language being served."""
        return _(self.template, **self.params)


def parse_export(document: Any) -> ExportData:
    """The restorable data in an export document, or RestoreError saying what is wrong."""
    if not isinstance(document, dict):
        raise RestoreError(N_("The file is not a Lantern JSON export."))
    parsed = _validate(ExportDocument.model_validate, document, ())
    if parsed.schema_version != SCHEMA_VERSION:
        raise RestoreError(
            N_("This export has schema version %(found)s; this Lantern restores version %(ours)s."),
            found=parsed.schema_version,
            ours=SCHEMA_VERSION,
        )
    if parsed.edition != "full" or parsed.data is None:
        raise RestoreError(N_("Only a full-edition JSON export can be restored."))
    return _parse_data(parsed.data)


def _parse_data(raw: dict[str, Any]) -> ExportData:
    """The data part, each list capped and validated a chunk at a time."""
    values: dict[str, Any] = {}
    for name, info in ExportData.model_fields.items():
        where: tuple[str | int, ...] = ("data", name)
        if name not in raw:
            if info.is_required():
                _refuse(where, "Field required")
            continue
        value, cap = raw[name], MAX_ROWS.get(name)
        if cap is None:
            values[name] = _validate(_ADAPTERS[name].validate_python, value, where)
            continue
        if not isinstance(value, list):
            _refuse(where, "Input should be a valid list")
        if len(value) > cap:
            raise RestoreError(
                N_("The export holds %(count)s %(kind)s; Lantern restores at most %(most)s."),
                count=len(value),
                kind=name,
                most=cap,
            )
        rows: list[Any] = []
        for start in range(0, len(value), VALIDATE_CHUNK):
            part = value[start : start + VALIDATE_CHUNK]
            rows += _validate(_ADAPTERS[name].validate_python, part, where, start)
            time.sleep(0)  # a turn for the event loop between chunks
        values[name] = rows
    return ExportData.model_construct(**values)


def _validate(
    check: Callable[[Any], T], value: Any, where: tuple[str | int, ...], offset: int = 0
) -> T:
    try:
        return check(value)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = list(first.get("loc", ()))
        if offset and loc and isinstance(loc[0], int):
            loc[0] += offset
        _refuse((*where, *loc), first.get("msg", "invalid"))


def _refuse(where: tuple[str | int, ...], message: str) -> NoReturn:
    raise RestoreError(
        N_("The file is not a full Lantern JSON export (%(format)s): %(where)s: %(problem)s."),
        format=FORMAT_NAME,
        where=".".join(str(p) for p in where),
        problem=message,
    )


def check_export(data: ExportData) -> None:
    """Every reference resolves and nothing is given twice; RestoreError naming the first fault.

    Run before anything is written, so a write can only fail on the database itself.
    """
    prompts = _ids(data.prompts, "question")
    themes = _ids(data.themes, "theme")
    people = _ids(data.participants, "participant")
    cards = _ids(data.cards, "card")
    rounds = {r.id: r.targets for r in data.rounds}
    if len(rounds) != len(data.rounds):
        raise RestoreError(N_("The export holds a voting round twice."))
    for c in data.cards:
        _known(prompts, c.prompt_id, "question")
        if c.participant_id is not None:
            _known(people, c.participant_id, "participant")
        if c.written_by is not None:
            _known(people, c.written_by, "participant")
        if c.theme_id is not None:
            _known(themes, c.theme_id, "theme")
    given: set[tuple[int, ...]] = set()
    for card_id, person_id, _when in data.appreciations:
        _known(cards, card_id, "card")
        _known(people, person_id, "participant")
        _once(given, (card_id, person_id), "an appreciation")
    given.clear()
    for round_id, person_id, target, _count in data.votes:
        _known(set(rounds), round_id, "voting round")
        _known(people, person_id, "participant")
        _known(cards if rounds[round_id] == "cards" else themes, target, "vote target")
        _once(given, (round_id, person_id, target), "a vote")
    for concern in data.concerns:
        if concern.participant_id is not None:
            _known(people, concern.participant_id, "participant")
    check_actions(data, _known, cards, themes)
    _check_agreement(data, themes, people, cards)
    for note in data.appreciation_notes:
        if note.participant_id is not None:
            _known(people, note.participant_id, "participant")
    if len({letter.recipient for letter in data.letters}) != len(data.letters):
        raise RestoreError(N_("The export holds a letter of appreciation twice."))
    if data.review.agenda is not None:
        blocks = [b for day in data.review.agenda.days for b in day.blocks]
        if len({b.id for b in blocks}) != len(blocks):
            raise RestoreError(N_("The export holds a block of the day plan twice."))
        for block in blocks:
            for prompt_id in block.prompt_ids:
                _known(prompts, prompt_id, "question")


def _check_agreement(data: ExportData, themes: set[int], people: set[int], cards: set[int]) -> None:
    """Propositions, consent rounds and answers: every reference resolves, none twice."""
    propositions = _ids(data.propositions, "proposition")
    for p in data.propositions:
        if p.card_id is not None:
            _known(cards, p.card_id, "card")
        for theme_id in p.theme_ids:
            _known(themes, theme_id, "theme")
    rounds = _ids(data.consent_rounds, "consent round")
    for r in data.consent_rounds:
        if r.proposition_id is not None:
            _known(propositions, r.proposition_id, "proposition")
    given: set[tuple[int, ...]] = set()
    for a in data.consent_answers:
        _known(rounds, a.round_id, "consent round")
        _known(people, a.participant_id, "participant")
        _once(given, (a.round_id, a.participant_id), "an answer")
    for action in data.actions:
        if action.proposition_id is not None:
            _known(propositions, action.proposition_id, "proposition")


def _ids(rows: Sequence[Any], what: str) -> set[int]:
    ids = {row.id for row in rows}
    if len(ids) != len(rows):
        raise RestoreError(N_("The export holds a %(what)s twice."), what=what)
    return ids


def _known(ids: set[int], key: int, what: str) -> None:
    if key not in ids:
        raise RestoreError(
            N_("The export refers to a %(what)s it does not hold (%(key)s)."), what=what, key=key
        )


def _once(seen: set[tuple[int, ...]], key: tuple[int, ...], what: str) -> None:
    if key in seen:
        raise RestoreError(N_("The export gives %(what)s twice."), what=what)
    seen.add(key)


def _at(value: datetime | None) -> datetime:
    return value if value is not None else utcnow()


def _chunks(rows: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


def restore_review(
    db: Database, data: ExportData, facilitator_id: int, audit: Callable[[Session, int], None]
) -> int:
    """Write the checked export as a new review run by this facilitator alone; its id.

    `audit` records the import in the last transaction, the one that makes the review
    visible. If anything fails, whatever was written is deleted and the error raised.
    """
    check_export(data)
    with db.write() as session:
        review = Review(
            code=IMPORTING + secrets.token_hex(7),
            title=data.review.title,
            case_ref=data.review.case_ref,
            settings=known_settings(data.review.settings),
            epoch=secrets.token_hex(8),
            screen_nonce=secrets.token_hex(8),
            owner_id=facilitator_id,
            retention_days=data.review.retention_days,
        )
        session.add(review)
        session.flush()
        assert review.id is not None
        rid = review.id
    try:
        _Writer(db, rid, facilitator_id).write(data, audit)
    except BaseException:
        with db.write() as session:
            delete_import(session, rid)
        raise
    return rid


def delete_import(session: Session, review_id: int) -> None:
    """Remove a review an import left half-written, with the audit entries it brought."""
    delete_review(session, review_id)
    session.execute(delete(AuditEntry).where(col(AuditEntry.review_id) == review_id))


class _Writer:
    """Writes one checked export in short transactions, mapping old ids to new."""

    def __init__(self, db: Database, review_id: int, facilitator_id: int) -> None:
        self.db = db
        self.rid = review_id
        self.facilitator_id = facilitator_id

    def _insert(self, rows: Sequence[Any]) -> list[int]:
        """Insert these rows in one short transaction, after any waiting writer; their ids."""
        deadline = time.monotonic() + YIELD_SECONDS
        while self.db.writers > 0 and time.monotonic() < deadline:
            time.sleep(0.001)
        with self.db.write() as session:
            session.add_all(rows)
            session.flush()
            return [getattr(row, "id", None) or 0 for row in rows]

    def _map(self, rows: Sequence[K], make: Callable[[K], Any]) -> dict[int, int]:
        mapping: dict[int, int] = {}
        for chunk in _chunks(rows):
            new = self._insert([make(row) for row in chunk])
            mapping.update(zip((row.id for row in chunk), new, strict=True))
        return mapping

    def _fill(self, rows: Sequence[T], make: Callable[[T], Any]) -> None:
        for chunk in _chunks(rows):
            self._insert([make(row) for row in chunk])

    def _write_agreement(
        self,
        data: ExportData,
        themes: dict[int, int],
        people: dict[int, int],
        cards: dict[int, int],
    ) -> dict[int, int]:
        """Propositions and their themes, consent rounds and their answers; answers the
        propositions' new ids by their ids in the file."""
        rid = self.rid
        propositions = self._map(
            data.propositions,
            lambda p: Proposition(
                review_id=rid,
                text=p.text,
                card_id=None if p.card_id is None else cards[p.card_id],
                table_label=p.table,
                status=p.status,
                position=p.position,
                created_at=_at(p.created_at),
                agreed_at=p.agreed_at,
            ),
        )
        self._fill(
            _theme_links(data, propositions, themes),
            lambda link: PropositionTheme(proposition_id=link[0], theme_id=link[1]),
        )
        rounds = self._map(
            data.consent_rounds,
            lambda r: ConsentRound(
                review_id=rid,
                subject=r.subject,
                proposition_id=None if r.proposition_id is None else propositions[r.proposition_id],
                scale=r.scale,
                wording=r.wording,
                status=r.status,
                shown=r.shown,
                opened_at=_at(r.opened_at),
                closed_at=r.closed_at,
            ),
        )
        self._fill(
            data.consent_answers,
            lambda a: ConsentAnswer(
                round_id=rounds[a.round_id],
                participant_id=people[a.participant_id],
                value=a.value,
                reason=a.reason,
                at=_at(a.at),
            ),
        )
        return propositions

    def write(self, data: ExportData, audit: Callable[[Session, int], None]) -> None:
        rid, src = self.rid, data.review
        prompts = self._map(
            data.prompts,
            lambda p: Prompt(
                review_id=rid,
                phase=p.phase,
                text=p.text,
                position=p.position,
                lane=p.lane,
                text_cy=p.text_cy,
                text_child=p.text_child,
            ),
        )
        themes = self._map(
            data.themes,
            lambda t: Theme(
                review_id=rid, phase=t.phase, name=t.name, created_at=_at(t.created_at)
            ),
        )
        people = self._map(
            data.participants,
            lambda person: Participant(
                review_id=rid,
                role=person.role,
                name=person.name,
                table_label=person.table,
                token_hash=hash_token(secrets.token_urlsafe(32)),
                joined_at=_at(person.joined_at),
                erased_at=person.erased_at,
            ),
        )
        cards = self._map(
            data.cards,
            lambda c: Card(
                review_id=rid,
                participant_id=None if c.participant_id is None else people[c.participant_id],
                written_by=None if c.written_by is None else people[c.written_by],
                facilitator_id=self.facilitator_id if c.by_facilitator else None,
                phase=c.phase,
                prompt_id=prompts[c.prompt_id],
                text=c.text,
                status=c.status,
                hold_reason=c.hold_reason,
                redacted=c.redacted,
                theme_id=None if c.theme_id is None else themes[c.theme_id],
                owner=c.owner,
                due=c.due,
                appreciations=c.appreciations,
                table_label=c.table,
                shared=c.shared,
                voice_role=c.voice_role,
                voice_name=c.voice_name,
                scribe=c.scribe,
                source=c.source,
                lane=c.lane,
                created_at=_at(c.created_at),
                updated_at=_at(c.updated_at or c.created_at),
            ),
        )
        self._fill(
            data.appreciations,
            lambda a: Appreciation(
                card_id=cards[a[0]], participant_id=people[a[1]], created_at=_at(a[2])
            ),
        )
        rounds = self._map(
            data.rounds,
            lambda v: VotingRound(
                review_id=rid,
                phase=v.phase,
                targets=v.targets,
                budget=v.budget,
                counting=v.counting,
                top=v.top,
                status=v.status,
                opened_at=_at(v.opened_at),
                closed_at=v.closed_at,
                revealed_at=v.revealed_at,
            ),
        )
        targets = {r.id: cards if r.targets == "cards" else themes for r in data.rounds}
        self._fill(
            data.votes,
            lambda v: Vote(
                round_id=rounds[v[0]],
                participant_id=people[v[1]],
                target_id=targets[v[0]][v[2]],
                count=v[3],
            ),
        )
        propositions = self._write_agreement(data, themes, people, cards)
        restore_actions(data, rid, self._insert, cards, themes, propositions)
        concerns = self._map(
            data.concerns,
            lambda concern: Concern(
                review_id=rid,
                participant_id=None
                if concern.participant_id is None
                else people[concern.participant_id],
                text=concern.text,
                created_at=_at(concern.created_at),
                acknowledged_at=concern.acknowledged_at,
                outcome=concern.outcome,
            ),
        )
        self._fill(
            data.appreciation_notes,
            lambda note: AppreciationNote(
                review_id=rid,
                participant_id=None if note.participant_id is None else people[note.participant_id],
                target=note.target,
                role=note.role,
                text=note.text,
                status=note.status,
                hold_reason=note.hold_reason,
                created_at=_at(note.created_at),
            ),
        )
        self._fill(
            data.letters,
            lambda letter: LetterDraft(
                review_id=rid,
                recipient=letter.recipient,
                text=letter.text,
                updated_at=_at(letter.updated_at),
            ),
        )
        # The review as it will be once visible (its events carry this header).
        with self.db.read() as session:
            code = free_code(session)
        prompt_id = prompts.get(src.prompt_id) if src.prompt_id is not None else None
        final: dict[str, Any] = {
            "code": code,
            "outcome": src.outcome,
            "summary": src.summary,
            "reflections": src.reflections,
            "starts_on": src.starts_on,
            "days": src.days,
            "status": src.status,
            "phase": src.phase,
            "locked": src.locked,
            "blank": src.blank,
            "pause_message": src.pause_message,
            "started_at": src.started_at,
            "closed_at": src.closed_at,
            "seq": len(data.changes),
            "prompt_id": prompt_id if prompt_id is not None else next(iter(prompts.values()), None),
            "spotlight_card_id": None
            if src.spotlight_card_id is None
            else cards.get(src.spotlight_card_id),
            "agenda": _agenda(src.agenda, prompts, data.review.days),
            "block_id": src.block_id,
            "block_started_at": src.block_started_at,
        }
        with self.db.read() as session:
            review = session.get(Review, rid)
            assert review is not None
        for name, value in final.items():
            setattr(review, name, value)
        header = review_header(review, audience="facilitator")
        room_header = review_header(review)

        # The phase and status changes, so the restored review's timeline reads the same.
        def _change(numbered: tuple[int, ChangeData]) -> Event:
            seq, change = numbered
            payload = {
                "review": {**header, "phase": change.phase, "status": change.status},
                "changed": list(change.changed),
            }
            room_payload = {
                **payload,
                "review": {**room_header, "phase": change.phase, "status": change.status},
            }
            return Event(
                review_id=rid,
                seq=seq,
                kind="review.updated",
                data=payload,
                public_kind="review.updated",
                public_data=room_payload,
                actor="system",
                created_at=change.at,
            )

        self._fill(list(enumerate(data.changes, start=1)), _change)
        self._fill(data.audit, lambda entry: _imported_audit(rid, entry, cards, concerns))
        with self.db.write() as session:
            restore_pulses(session, rid, data.pulses)

        # Last: the real join code and the team, which make the review visible.
        with self.db.write() as session:
            session.execute(update(Review).where(col(Review.id) == rid).values(**final))
            session.add(ReviewFacilitator(review_id=rid, facilitator_id=self.facilitator_id))
            audit(session, rid)


def _theme_links(
    data: ExportData, propositions: dict[int, int], themes: dict[int, int]
) -> list[tuple[int, int]]:
    return [
        (propositions[p.id], themes[t]) for p in data.propositions for t in sorted(set(p.theme_ids))
    ]


def _agenda(agenda: AgendaData | None, prompts: dict[int, int], days: int) -> dict[str, Any]:
    """The file's day plan, its questions mapped to the new ids (none: an empty plan)."""
    if agenda is None:
        return {}
    plan: Plan = {
        "timezone": agenda.timezone if is_timezone(agenda.timezone) else DEFAULT_TIMEZONE,
        "days": [
            {
                "starts_at": day.starts_at,
                "blocks": [
                    {
                        "id": b.id,
                        "title": b.title,
                        "phase": b.phase,
                        "prompt_ids": list(b.prompt_ids),
                        "minutes": b.minutes,
                        "mode": b.mode,
                    }
                    for b in day.blocks
                ],
            }
            for day in agenda.days[:days]
        ],
        "next_id": agenda.next_id,
    }
    remap_prompts(plan, prompts)
    highest = max((b["id"] for day in plan["days"] for b in day["blocks"]), default=0)
    plan["next_id"] = max(plan["next_id"], highest + 1)
    return dict(plan)


def _imported_audit(
    review_id: int, entry: AuditData, cards: dict[int, int], concerns: dict[int, int]
) -> AuditEntry:
    """An audit entry from the file: marked imported, tied to no account."""
    detail = dict(entry.detail)
    if isinstance(detail.get("card_id"), int):
        detail["card_id"] = cards.get(detail["card_id"])
    if isinstance(detail.get("concern_id"), int):
        detail["concern_id"] = concerns.get(detail["concern_id"])
    detail["imported"] = True
    if entry.facilitator:
        detail["recorded_by"] = entry.facilitator[:254]
    return audit.restored(review_id, entry.action, detail, entry.at)
