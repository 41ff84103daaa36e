"""The ground rules: one list, read by the phone before joining and by the record.

A phone shows the rules that hold for its review; the record states the rules that held
for the whole of it, in the same words. So the record never promises what the room was not
promised, and never claims more than was true: names stay off the screen only while the
review was anonymous throughout, every card is read first only while moderation was "pre"
throughout, and "every voice counts the same" only where every voting round counted each
voice group equally.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from app.i18n import N_, _
from app.models import Review, VotingRound
from app.review.fields import DEFAULT_SETTINGS
from app.review.views import setting


@dataclass(frozen=True, slots=True)
class GroundRule:
    """One rule: a key the phone's page marks it by, its words (the catalog's), and whether
    the phone sets it in bold (the one rule about acting on harm)."""

    key: str
    text: str
    strong: bool = False


# Every rule there is, in the order a phone lists them. `ground_rules` picks those that hold.
RULES: Final[tuple[GroundRule, ...]] = (
    GroundRule(
        "appreciate", N_("We look for what worked, and why. We appreciate; we do not blame.")
    ),
    GroundRule(
        "pseudonym",
        N_("Use the child's pseudonym. Do not write real names, addresses or dates of birth."),
    ),
    # %(n)s: the review's `small_group`, below which a role is shown as its group (or not).
    GroundRule(
        "names_hidden",
        N_(
            "The screen and other phones show what you write with your role, never your name "
            "(only your group, or no role, while fewer than %(n)s people share your role)."
        ),
    ),
    GroundRule(
        "names_shown",
        N_(
            "The screen and other phones show what you write with your first name, if you "
            "gave it, and your role (only your group, or no role, while fewer than %(n)s "
            "people share your role)."
        ),
    ),
    GroundRule("moderation", N_("The facilitator reads each card before the room sees it.")),
    GroundRule(
        "equal_voices",
        N_("Every voice counts the same: children, families and practitioners alike."),
    ),
    GroundRule(
        "harm",
        N_(
            "If anything you share tells us a child or adult may be at risk of harm, the "
            "facilitator will act on it under the local safeguarding procedure."
        ),
        strong=True,
    ),
    GroundRule(
        "concern", N_("You can raise a concern privately with the facilitator at any time.")
    ),
)
RULE: Final[dict[str, GroundRule]] = {rule.key: rule for rule in RULES}


def ground_rules(*, anonymous: bool, moderated: bool, equal_voices: bool) -> list[GroundRule]:
    """The rules that hold, given whether names stay off the screen, whether the facilitator
    reads each card first, and whether every vote counted each voice group equally."""
    keys = ["appreciate", "pseudonym", "names_hidden" if anonymous else "names_shown"]
    if moderated:
        keys.append("moderation")
    if equal_voices:
        keys.append("equal_voices")
    keys += ["harm", "concern"]
    return [RULE[key] for key in keys]


def round_counts_voices_equally(voting: VotingRound) -> bool:
    """Whether a voting round counted each voice group equally, whatever its headcount."""
    return voting.counting == "equal_voices"


def words(rule: GroundRule, small_group: int) -> str:
    """A rule's words in the current language, the review's small-group threshold filled."""
    return _(rule.text, n=small_group)


def default_rules() -> list[GroundRule]:
    """The rules of a review with the default settings (a phone's page before it asks)."""
    return ground_rules(
        anonymous=bool(DEFAULT_SETTINGS["anonymous"]),
        moderated=DEFAULT_SETTINGS["moderation"] == "pre",
        equal_voices=False,
    )


def rules_now(review: Review) -> list[GroundRule]:
    """The rules a phone shows before joining this review, from its settings now."""
    return ground_rules(
        anonymous=bool(setting(review, "anonymous")),
        moderated=setting(review, "moderation") == "pre",
        equal_voices=False,
    )


def rules_that_held(
    review: Review,
    rounds: Iterable[VotingRound],
    settings_seen: Iterable[Mapping[str, Any]] = (),
) -> list[GroundRule]:
    """The rules that held for the whole review, for the record.

    `settings_seen` are the review's settings at each change the log recorded: a promise
    holds only if it held at every one of them and holds now. "Every voice counts the same"
    holds only if there was voting and every round counted voice groups equally.
    """
    seen = [*settings_seen, review.settings]
    rounds = list(rounds)

    def always(name: str, value: object) -> bool:
        return all(s.get(name, DEFAULT_SETTINGS[name]) == value for s in seen)

    return ground_rules(
        anonymous=always("anonymous", True),
        moderated=always("moderation", "pre"),
        equal_voices=bool(rounds) and all(round_counts_voices_equally(r) for r in rounds),
    )
