"""Replace a review's real names and places with their pseudonyms, on entry; keep the list.

`apply_keep_out` is the scan every text passes on entry; `replace_list` stores a review's
list and finds the cards already holding a listed term.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from sqlmodel import Session, col, delete, select

from app.models import Card, KeepOut
from app.review import audit
from app.review.audit import Action


def apply_keep_out(text: str, terms: Iterable[tuple[str, str]]) -> str:
    """The text with every listed term, matched whole and case-insensitively, replaced.

    Text and terms are compared in Unicode's composed form (NFC), so "José" typed with a
    combining accent is the same name as "José" typed as one letter. Each term is its own
    group: the replacement is found by which group matched, never by looking the matched
    text up again, so no case rule ("İ" lower-cases to two characters) can miss it.
    """
    pairs = sorted(
        ((unicodedata.normalize("NFC", t.strip()), r) for t, r in terms if t.strip()),
        key=lambda p: -len(p[0]),
    )
    if not pairs or not text:
        return text
    composed = unicodedata.normalize("NFC", text)
    # Longest first, so "Jade Smith" wins over "Jade"; \b-like guards that also work for
    # terms that begin or end with punctuation.
    pattern = re.compile(
        r"(?<!\w)(?:" + "|".join(f"({re.escape(term)})" for term, _ in pairs) + r")(?!\w)",
        re.IGNORECASE,
    )

    def _replace(match: re.Match[str]) -> str:
        start, end = match.span()
        # A combining mark is part of the letter before it: "Jose" + U+0301 is another word.
        if (end < len(composed) and _is_mark(composed[end])) or (
            start > 0 and _is_mark(composed[start - 1])
        ):
            return match.group(0)
        assert match.lastindex is not None
        replaced.append(True)
        return pairs[match.lastindex - 1][1]

    replaced: list[bool] = []
    result = pattern.sub(_replace, composed)
    # Text with nothing to replace comes back exactly as it was sent.
    return result if replaced else text


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch).startswith("M")


def replace_list(
    session: Session, review_id: int, terms: Sequence[tuple[str, str]], facilitator_id: int | None
) -> list[int]:
    """Store a review's whole keep-out list in place of the old; the cards to check by hand.

    Nothing stored so far is rewritten: the facilitator decides, card by card. The answer is
    the ids of the cards (not withdrawn) whose text or owner holds a listed term. The audit
    log counts the terms; it never holds the real names themselves.
    """
    session.exec(delete(KeepOut).where(col(KeepOut.review_id) == review_id))
    for term, replacement in terms:
        session.add(KeepOut(review_id=review_id, term=term, replacement=replacement))
    to_check: list[int] = []
    if terms:
        cards = session.exec(
            select(Card.id, Card.text, Card.owner).where(
                Card.review_id == review_id, Card.status != "withdrawn"
            )
        ).all()
        for card_id, text, owner in cards:
            if card_id and (
                apply_keep_out(text, terms) != text or apply_keep_out(owner, terms) != owner
            ):
                to_check.append(card_id)
    audit.record(
        session,
        Action.KEEP_OUT_UPDATE,
        review_id=review_id,
        facilitator_id=facilitator_id,
        terms=len(terms),
    )
    return sorted(to_check)
