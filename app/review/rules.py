"""The fixed vocabulary of a review: phases, roles, statuses, default questions and limits."""

from __future__ import annotations

from typing import Final, Literal

from app.i18n import N_

Phase = Literal["discover", "dream", "design", "deliver"]
PHASES: Final[tuple[str, ...]] = ("discover", "dream", "design", "deliver")
# The phase names a person reads (translated where they are shown).
PHASE_LABELS: Final[dict[str, str]] = {
    "discover": N_("Discover"),
    "dream": N_("Dream"),
    "design": N_("Design"),
    "deliver": N_("Deliver"),
}

# What a block of the day plan has the room doing (app/review/agenda.py).
Mode = Literal["cards", "pairs", "tables", "voting", "consent", "plenary", "break"]
MODES: Final[tuple[str, ...]] = (
    "cards",
    "pairs",
    "tables",
    "voting",
    "consent",
    "plenary",
    "break",
)

Role = Literal[
    "child",
    "parent_carer",
    "family",
    "social_care",
    "police",
    "health",
    "education",
    "early_years",
    "housing",
    "probation",
    "voluntary",
    "other",
]
# In the order a phone lists them, with the words a person reads (translated where shown).
ROLE_LABELS: Final[dict[str, str]] = {
    "child": N_("Child or young person"),
    "parent_carer": N_("Parent or carer"),
    "family": N_("Other family member"),
    "social_care": N_("Social care"),
    "police": N_("Police"),
    "health": N_("Health"),
    "education": N_("Education"),
    "early_years": N_("Early years"),
    "housing": N_("Housing"),
    "probation": N_("Probation"),
    "voluntary": N_("Voluntary sector"),
    "other": N_("Other"),
}
ROLES: Final[tuple[str, ...]] = tuple(ROLE_LABELS)
# The agencies a whole-system review expects in the room. The record names every agency
# nobody came from, not only these (`absent_agencies` in app/review/balance.py).
USUAL_AGENCIES: Final[tuple[str, ...]] = ("social_care", "police", "health", "education")

STATUSES: Final[tuple[str, ...]] = ("draft", "live", "paused", "closed")

DEFAULT_PROMPTS: Final[dict[str, tuple[str, ...]]] = {
    "discover": (
        "Tell a story from your own knowledge or experience about an astonishing "
        "safeguarding achievement.",
        "What is working really well in keeping children safe at the moment, something "
        "that you really value?",
        "What made that possible?",
    ),
    "dream": (
        "What would you like to see more of in the future?",
        "It is a year from now and everything we wished for is happening. What does it look like?",
    ),
    "design": (
        "Complete the sentence: children remain safe when ...",
        "What would need to be true for this to happen every time?",
    ),
    "deliver": (
        "What is one small thing you will do, starting next week? Who will do it, and by when?",
    ),
}

# Limits, in characters unless named otherwise (docs/protocol.md lists them all).
MAX_CARD_TEXT: Final = 4000
MAX_CONCERN_TEXT: Final = 4000
MAX_CONCERN_OUTCOME: Final = 2000
MAX_NAME: Final = 40
MAX_TABLE: Final = 20
# Tables: at most this many, at most this many seats a table, and kept together at one.
MAX_TABLES: Final = 250
MAX_SEATS: Final = 50
MAX_KEEP_TOGETHER: Final = 8
MAX_THEME_NAME: Final = 120
MAX_PROMPT_TEXT: Final = 500
MAX_OWNER: Final = 200
MAX_PAUSE_MESSAGE: Final = 500
MAX_CID: Final = 64
MAX_TITLE: Final = 200
MAX_CASE_REF: Final = 100
MAX_OUTCOME: Final = 1000
# The facilitator's summary, and their reflections: a page or two each (Review.summary).
MAX_REFLECTION: Final = 10000
# A proposition ("Children remain safe when...") and a reason given in a consent round.
MAX_PROPOSITION: Final = 500
MAX_CONSENT_REASON: Final = 500
MAX_PROPOSITION_THEMES: Final = 20
MAX_TIMER_SECONDS: Final = 4 * 60 * 60
MAX_VOTE_BUDGET: Final = 20
# The most people a role may need before others see it (a review's `small_group` setting).
MAX_SMALL_GROUP: Final = 10
# A review runs for one to five days (docs/protocol.md); it is kept up to ten years once closed.
MAX_DAYS: Final = 5
MAX_RETENTION_DAYS: Final = 3650
MAX_FRAME_BYTES: Final = 16 * 1024
# The day plan: a block runs at most as long as a timer can; a day holds at most 40 blocks.
MAX_BLOCK_MINUTES: Final = MAX_TIMER_SECONDS // 60
MAX_BLOCKS_A_DAY: Final = 40
MAX_BLOCK_PROMPTS: Final = 10
MAX_BLOCK_TITLE: Final = 120

# The evaluation pulse (app/review/pulse.py): a reworded statement, and the one word.
MAX_PULSE_STATEMENT: Final = 200
MAX_PULSE_WORD: Final = 40

# A deliver card's due date: from today (a day's grace, for a phone in another time zone)
# to two years after today or the review's start, whichever is later.
DUE_GRACE_DAYS: Final = 1
# Actions (app/review/actions.py): their words, agency, a lead's name, and the check-ins
# after the close (months after it; a review keeps at most a few).
MAX_ACTION_TEXT: Final = 500
MAX_AGENCY: Final = 120
MAX_LEAD_NAME: Final = 80
MAX_ACTION_NOTE: Final = 500
MAX_ACTIONS: Final = 500
MAX_ACTION_UPDATES: Final = 200
MAX_CHECKINS: Final = 6
MAX_CHECKIN_MONTHS: Final = 36
DEFAULT_CHECKIN_MONTHS: Final[tuple[int, ...]] = (3, 6)
DUE_WITHIN_DAYS: Final = 2 * 365 + 1

# How much one review, and one person in it, may hold. Far above what a review needs (the
# largest Lantern is built for has 2,000 phones; the benchmark review 5,000 cards from 200
# people), so no one in a real room meets them; a script with the join code does.
MAX_PARTICIPANTS: Final = 5_000
MAX_CARDS: Final = 25_000
MAX_CARDS_PER_PERSON: Final = 300
MAX_CONCERNS_PER_PERSON: Final = 50
# Appreciations of an agency, a role or the family (app/review/appreciation_notes.py): a
# few words each, a bounded number a person, and a letter of appreciation's length.
MAX_APPRECIATION_TEXT: Final = 1000
MAX_APPRECIATIONS_PER_PERSON: Final = 30
MAX_LETTER_TEXT: Final = 20000

# Join codes: no 0/O/1/I/L, B/8, S/5 or Z/2, so a code read off a screen, a slide or a
# handwritten sheet is typed right first time (25 characters: 25^8 is about 1.5e11 codes).
CODE_ALPHABET: Final = "34679ACDEFGHJKMNPQRTUVWXY"
# Codes made before B/8, S/5 and Z/2 were left out may hold either of a pair: on entry each
# is read as its letter, and such stored codes were rewritten the same way (migration 0005).
CODE_LOOK_ALIKES: Final = str.maketrans({"8": "B", "5": "S", "2": "Z"})
CODE_LENGTH: Final = 8
