"""Easy Read on the phone: short sentences, one idea a line, a simple picture beside each.

A phone reads in one of two ways: `standard` or `easy` (`/j/{code}?read=easy`, or the switch
on the join page and the phone; remembered on that phone in the `lantern_read` cookie). The
way of reading is separate from the language (`?lang=`): an Easy Read page in Welsh takes
these same messages from the Welsh catalog.

Every Easy Read instruction is one entry of `EASY`: a picture (`ICONS`) and its lines, each
line a catalogued message of its own. The pages show an instruction only by its key
(`say()` in templates, `sayEasy()` in phone-read.js), so no Easy Read text can be written
anywhere else, and `tests/test_readability.py` scores every line here at 80 or more on the
Flesch reading ease scale.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from markupsafe import Markup, escape

from app import i18n
from app.i18n import N_

Read = Literal["standard", "easy"]
READ_MODES: Final[tuple[str, ...]] = ("standard", "easy")
READ_COOKIE: Final = "lantern_read"
# A year, as the language: a family that chose Easy Read on the first morning keeps it.
READ_COOKIE_SECONDS: Final = 365 * 24 * 60 * 60


def read_mode(asked: str | None, remembered: str | None) -> Read:
    """How this phone reads: `?read=`, else the remembered choice, else standard."""
    for choice in (asked, remembered):
        if choice in ("standard", "easy"):
            return "easy" if choice == "easy" else "standard"
    return "standard"


@dataclass(frozen=True, slots=True)
class Say:
    """One Easy Read instruction: its picture and its lines (one idea a line)."""

    icon: str
    lines: tuple[str, ...]


# The pictures: simple line drawings on a 48 by 48 grid, drawn in the text's colour.
ICONS: Final[dict[str, str]] = {
    "phone": '<rect x="14" y="4" width="20" height="40" rx="4"/><path d="M21 37h6"/>',
    "person": '<circle cx="24" cy="15" r="8"/><path d="M9 43c2-9 8-14 15-14s13 5 15 14"/>',
    "people": (
        '<circle cx="16" cy="16" r="6"/><circle cx="33" cy="16" r="6"/>'
        '<path d="M4 40c1-7 6-11 12-11s11 4 12 11M22 40c1-7 6-11 11-11s10 4 11 11"/>'
    ),
    "pencil": '<path d="M10 38l2-9 22-22 7 7-22 22zM30 11l7 7M10 38l9-2"/>',
    "table": '<path d="M6 18h36M10 18v22M38 18v22M16 10h16"/>',
    "eye": (
        '<path d="M4 24c5-9 12-14 20-14s15 5 20 14c-5 9-12 14-20 14S9 33 4 24z"/>'
        '<circle cx="24" cy="24" r="6"/>'
    ),
    "heart": ('<path d="M24 41C12 32 6 26 6 18a9 9 0 0 1 18-3 9 9 0 0 1 18 3c0 8-6 14-18 23z"/>'),
    "tick": '<circle cx="24" cy="24" r="19"/><path d="M15 25l6 6 12-13"/>',
    "pause": '<circle cx="24" cy="24" r="19"/><path d="M19 16v16M29 16v16"/>',
    "cards": (
        '<rect x="6" y="12" width="26" height="30" rx="3"/><path d="M14 6h25a3 3 0 0 1 3 3v27"/>'
        '<path d="M12 22h14M12 29h14"/>'
    ),
    "talk": '<path d="M6 10h36v22H22l-10 9v-9H6z"/><path d="M14 18h20M14 25h12"/>',
    "star": '<path d="M24 5l6 13 14 1-11 9 4 14-13-8-13 8 4-14L4 19l14-1z"/>',
    "box": '<path d="M6 16h36v26H6zM4 8h40v8H4zM19 24h10"/>',
    "home": '<path d="M6 22L24 7l18 15M11 19v23h26V19M20 42V30h8v12"/>',
    "bulb": (
        '<path d="M17 31c-4-3-6-7-6-12a13 13 0 0 1 26 0c0 5-2 9-6 12v5H17z"/><path d="M19 42h10"/>'
    ),
    "calendar": (
        '<rect x="6" y="10" width="36" height="32" rx="3"/><path d="M6 19h36M16 5v9M32 5v9"/>'
    ),
    "clock": '<circle cx="24" cy="24" r="19"/><path d="M24 13v12l8 5"/>',
    "speaker": (
        '<path d="M6 18h8l11-9v30l-11-9H6z"/><path d="M32 17c3 4 3 10 0 14M37 12c6 7 6 17 0 24"/>'
    ),
    "book": (
        '<path d="M24 12c-5-4-12-5-19-4v30c7-1 14 0 19 4 5-4 12-5 19-4V8c-7-1-14 0-19 4z"/>'
        '<path d="M24 12v30"/>'
    ),
}

# Every Easy Read instruction on the phone, by the key the page shows it under.
EASY: Final[dict[str, Say]] = {
    # The promise before joining, kept exactly (as the standard words in phone.js).
    "welcome_anonymous": Say(
        "phone",
        (
            N_("You can take part from this phone."),
            N_("The big screen does not show your name."),
            N_("It shows your role, like “Parent or carer”."),
            N_("If fewer than %(n)s people have your role, it shows your group, or no role."),
        ),
    ),
    "welcome_named": Say(
        "phone",
        (
            N_("You can take part from this phone."),
            N_("If you give your first name, the big screen shows it by your cards."),
            N_("It shows your role, like “Parent or carer”."),
            N_("If fewer than %(n)s people have your role, it shows your group, or no role."),
        ),
    ),
    "code": Say(
        "phone",
        (
            N_("Look at the big screen."),
            N_("Find the code. It has 8 letters and numbers."),
            N_("Type the code here."),
        ),
    ),
    "role": Say("person", (N_("Who are you here as?"), N_("Tap the one that fits you best."))),
    "name_anonymous": Say(
        "eye",
        (
            N_("You can write your first name."),
            N_("Only the person who runs the meeting sees it."),
            N_("You can leave it empty."),
        ),
    ),
    "name_named": Say(
        "eye",
        (
            N_("You can write your first name."),
            N_("Everyone will see it by your cards."),
            N_("You can leave it empty."),
        ),
    ),
    "table": Say(
        "table",
        (
            N_("Do you sit at a table with a number?"),
            N_("Write the number here."),
            N_("You can leave it empty."),
        ),
    ),
    "rules": Say("heart", (N_("Here are the rules for today."), N_("Please read them."))),
    # The ground rules (app/review/ground_rules.py), each by its key, the same promises.
    "rule_appreciate": Say(
        "heart", (N_("We look at what went well, and why."), N_("We do not blame anyone."))
    ),
    "rule_pseudonym": Say(
        "pencil",
        (
            N_("Use the made-up name we have for the child."),
            N_("Do not write real names, addresses or dates of birth."),
        ),
    ),
    "rule_names_hidden": Say(
        "people",
        (
            N_("The screen shows what you write with your role."),
            N_("It never shows your name."),
            N_("If fewer than %(n)s people have your role, it shows your group, or no role."),
        ),
    ),
    "rule_names_shown": Say(
        "people",
        (
            N_("The screen shows what you write with your first name, if you gave it."),
            N_("It shows your role too."),
            N_("If fewer than %(n)s people have your role, it shows your group, or no role."),
        ),
    ),
    "rule_moderation": Say(
        "eye",
        (
            N_("The person who runs the meeting reads each card first."),
            N_("Then the room sees it."),
        ),
    ),
    "rule_equal_voices": Say(
        "star",
        (
            N_("Every voice counts the same."),
            N_("Children, families and workers all count the same."),
        ),
    ),
    "rule_harm": Say(
        "talk",
        (
            N_("You may tell us that a child or a grown-up is not safe."),
            N_("Then the person who runs the meeting must act."),
            N_("They will follow the local rules to keep people safe."),
        ),
    ),
    "rule_concern": Say(
        "talk",
        (
            N_("You can talk to the person who runs the meeting in private."),
            N_("You can do this at any time."),
        ),
    ),
    "agree": Say("tick", (N_("Do you agree to the rules?"), N_("Then tap the button to go in."))),
    "read": Say(
        "book",
        (N_("These are Easy Read words."), N_("Tap here to change how the words look.")),
    ),
    "speak": Say("speaker", (N_("Tap to hear the question read out loud."),)),
    "write": Say(
        "pencil",
        (
            N_("Write your card here."),
            N_("Say what you think."),
            N_("Then tap Send card."),
        ),
    ),
    "draft": Say("phone", (N_("Your words stay on this phone until you send them."),)),
    "locked": Say(
        "pause",
        (N_("You cannot send cards just now."), N_("Your words are safe."), N_("Please wait.")),
    ),
    "for_table": Say(
        "table",
        (
            N_("Tick this if your table agreed on this card."),
            N_("It shows your table number."),
            N_("Only you can change it."),
        ),
    ),
    "owner": Say(
        "people",
        (N_("Who will do it?"), N_("Write a team or a role, not a name.")),
    ),
    "due": Say(
        "calendar",
        (N_("When will it be done?"), N_("Pick a day in the next two years.")),
    ),
    "mine": Say(
        "cards",
        (
            N_("The cards you send show here."),
            N_("You can change them."),
            N_("You can take them back."),
        ),
    ),
    "others": Say(
        "people",
        (N_("Cards from other people show here."), N_("They come when the meeting shares them.")),
    ),
    "kept": Say(
        "box",
        (
            N_("You wrote these before the question changed."),
            N_("They are safe here."),
            N_("You can send one now, or keep it."),
        ),
    ),
    "vote": Say(
        "star",
        (
            N_("Now you can vote."),
            N_("Tap a dot by the cards you like best."),
            N_("Tap “I'm done voting” when you are done."),
        ),
    ),
    "pair": Say(
        "people",
        (
            N_("Find your partner."),
            N_("Take turns: one asks and one listens."),
            N_("Then swap."),
        ),
    ),
    "story": Say(
        "pencil",
        (
            N_("Write your partner's story here."),
            N_("It shows with their role, not yours."),
            N_("They can see it and take it back."),
        ),
    ),
    "family_step": Say(
        "home",
        (
            N_("Only you and the person who runs the meeting see this."),
            N_("It is your family's own next step."),
        ),
    ),
    "lane": Say(
        "bulb",
        (
            N_("How can we work better next time?"),
            N_("Write about how we work, not about a person."),
        ),
    ),
    "talk": Say(
        "talk",
        (
            N_("Only the person who runs the meeting sees this."),
            N_("Tell them if you are worried."),
            N_("Tell them if you need a break."),
        ),
    ),
    "hold_draft": Say(
        "clock",
        (
            N_("You are in."),
            N_("The meeting has not started yet."),
            N_("This page will change when it starts."),
        ),
    ),
    "hold_paused": Say(
        "pause",
        (N_("We are having a break."), N_("Your words are safe."), N_("We will start again soon.")),
    ),
    "hold_blank": Say(
        "pause",
        (N_("The screens are off for a moment."), N_("Your words are safe."), N_("Take a breath.")),
    ),
    "hold_closed": Say(
        "heart",
        (
            N_("The meeting has ended."),
            N_("Thank you for all you said."),
            N_("You can close this page."),
        ),
    ),
}


def icon(name: str) -> Markup:
    """A picture, drawn inline (nothing is loaded from elsewhere); words carry the meaning."""
    return Markup(
        '<svg class="easy-icon" viewBox="0 0 48 48" aria-hidden="true" focusable="false" '
        'fill="none" stroke="currentColor" stroke-width="3" stroke-linecap="round" '
        f'stroke-linejoin="round">{ICONS[name]}</svg>'
    )


def drawn(name: str) -> Markup:
    """A picture drawn from the page's one copy of it (`icon_templates()`)."""
    return Markup(
        '<svg class="easy-icon" viewBox="0 0 48 48" aria-hidden="true" focusable="false">'
        f'<use href="#easy-icon-{name}"/></svg>'
    )


def say(key: str, id: str | None = None, **params: object) -> Markup:
    """One Easy Read instruction as HTML: its picture beside its lines, one a line."""
    entry = EASY[key]
    lines = "".join(
        f"<p>{escape(i18n._(line, **params) if params else i18n.gettext(line))}</p>"
        for line in entry.lines
    )
    where = f' id="{escape(id)}"' if id else ""
    return Markup(
        f'<div class="easy-say" data-easy="{escape(key)}"{where}>'
        f'{drawn(entry.icon)}<div class="easy-lines">{lines}</div></div>'
    )


# The instructions phone-read.js writes itself (after asking the server, or as the room
# waits); the page writes the rest.
SCRIPT_WRITES: Final = ("welcome_", "name_", "rule_", "hold_")


def script_easy() -> dict[str, dict[str, object]]:
    """The instructions the script writes, in the page's language: {key: {icon, lines}}."""
    return {
        key: {"icon": entry.icon, "lines": [i18n.gettext(line) for line in entry.lines]}
        for key, entry in EASY.items()
        if key.startswith(SCRIPT_WRITES)
    }


def icon_templates() -> Markup:
    """Every picture once, on an Easy Read page, for each instruction to draw from."""
    symbols = "".join(
        f'<symbol id="easy-icon-{name}" viewBox="0 0 48 48" fill="none" stroke="currentColor" '
        f'stroke-width="3" stroke-linecap="round" stroke-linejoin="round">{paths}</symbol>'
        for name, paths in ICONS.items()
    )
    return Markup(
        '<svg class="easy-sprite" aria-hidden="true" focusable="false" fill="none" '
        'stroke="currentColor" stroke-width="3" stroke-linecap="round" stroke-linejoin="round">'
        f"<defs>{symbols}</defs></svg>"
    )
