"""Every Easy Read and child-friendly text reads easily: 80 or more on Flesch reading ease.

The texts are read from where the pages take them: the Easy Read instructions from
`app/easy_read.py` (the only place the phone's Easy Read words are written: the templates and
phone-read.js show them by key) and the questions for children from
`app/review/child_wording.py`. The catalog is checked too, so a message written into the Easy
Read module outside `EASY` can't skip the score.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from app.easy_read import EASY, ICONS
from app.review import lanes, rules
from app.review.child_wording import CHILD_WORDING
from tests.readability import flesch, sentences_of, syllables

EASY_READ_SCORE = 80
ROOT = Path(__file__).resolve().parent.parent


def _text(lines: tuple[str, ...]) -> str:
    # A number stands in for a placeholder, as the page fills it.
    return "\n".join(re.sub(r"%\(\w+\)s", "3", line) for line in lines)


# ---- the counter ------------------------------------------------------------------------

KNOWN_SYLLABLES = {
    "a": 1,
    "the": 1,
    "safe": 1,
    "time": 1,
    "helped": 1,
    "changed": 1,
    "wanted": 2,
    "takes": 1,
    "boxes": 2,
    "changes": 2,
    "while": 1,
    "role": 1,
    "table": 2,
    "people": 2,
    "someone": 2,
    "everyone": 3,
    "family": 3,
    "children": 2,
    "question": 2,
    "meeting": 2,
    "partner's": 2,
    "idea": 3,
    "being": 2,
    "create": 2,
    "safeguarding": 3,
    "astonishing": 4,
    "sometimes": 2,
    "facilitator": 5,
    "experience": 4,
    "knowledge": 2,
    "really": 2,
    "possible": 3,
    "anonymous": 4,
    "8": 1,
    "happen": 2,
    "finished": 2,
    "wishes": 2,
}


@pytest.mark.parametrize(("word", "count"), sorted(KNOWN_SYLLABLES.items()))
def test_the_syllable_counter_counts_common_words_right(word: str, count: int) -> None:
    assert syllables(word) == count


def test_a_line_end_ends_a_sentence_as_a_full_stop_does() -> None:
    assert sentences_of("You can write.\nYou can leave it") == 2
    assert sentences_of("One. Two? Three!") == 3


def test_the_scale_tells_easy_words_from_professional_words() -> None:
    # Known reference points: short plain words score high, the default question low.
    assert flesch("The cat sat on the mat.") > 110
    professional = rules.DEFAULT_PROMPTS["discover"][0]
    assert flesch(professional) < 50
    assert flesch(CHILD_WORDING[professional]) > 90


# ---- the texts --------------------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(EASY))
def test_every_easy_read_instruction_reads_easily(key: str) -> None:
    text = _text(EASY[key].lines)
    assert flesch(text) >= EASY_READ_SCORE, f"{key}: {flesch(text):.0f} for {text!r}"


@pytest.mark.parametrize("key", sorted(EASY))
def test_easy_read_says_one_short_idea_a_line_with_a_picture(key: str) -> None:
    entry = EASY[key]
    assert entry.icon in ICONS
    for line in entry.lines:
        # One sentence (or one question) a line, and a short one.
        assert sentences_of(line) <= 2, line
        assert len(line.split()) <= 16, line


@pytest.mark.parametrize("default", sorted(CHILD_WORDING))
def test_every_question_for_children_reads_easily(default: str) -> None:
    words = CHILD_WORDING[default]
    assert flesch(words) >= EASY_READ_SCORE, f"{flesch(words):.0f} for {words!r}"


def test_every_default_question_has_words_for_children() -> None:
    defaults = {text for texts in rules.DEFAULT_PROMPTS.values() for text in texts}
    assert defaults | {lanes.DEFAULT_QUESTION} == set(CHILD_WORDING)
    assert (
        CHILD_WORDING[rules.DEFAULT_PROMPTS["discover"][0]]
        == "Tell us about a time when someone helped keep a child safe. What did they do?"
    )


def test_no_easy_read_text_is_catalogued_outside_what_is_scored() -> None:
    with (ROOT / "app/locale/messages.pot").open("rb") as source:
        catalog = read_po(source)
    scored = {line for entry in EASY.values() for line in entry.lines} | set(CHILD_WORDING.values())
    written_there = {
        str(message.id)
        for message in catalog
        if message.id
        and any(
            path in ("app/easy_read.py", "app/review/child_wording.py")
            for path, _line in message.locations
        )
    }
    assert written_there, "the catalog lists no Easy Read text: is it out of date?"
    assert written_there == scored


def test_easy_read_boxes_are_only_made_from_the_scored_instructions() -> None:
    # A page can't write an Easy Read box by hand: only easy_read.say() (templates) and
    # phone-read.js sayEasy() (from the page's copy of EASY) make one.
    allowed = {"app/easy_read.py", "app/static/phone-read.js", "app/static/lantern.css"}
    for path in [*ROOT.glob("app/templates/**/*.html"), *ROOT.glob("app/static/**/*.js")]:
        relative = str(path.relative_to(ROOT))
        if relative in allowed or "/vendor/" in relative:
            continue
        assert "easy-say" not in path.read_text(encoding="utf-8"), relative
