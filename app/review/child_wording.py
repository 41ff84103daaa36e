"""Child-friendly wording of the questions, for children of about 8 to 12.

Each default question (`rules.DEFAULT_PROMPTS`, and the next-time lane's own question) has
wording a child can read. A question's own `text_child`, written by the facilitator
(`set_child_wording`), comes first; a question still worded as a default takes the default's
child wording. Phones that join as `child` show it by default and can switch (phone.js).

What a facilitator types is kept as typed (it is never translated); the defaults here are
catalogued, so a Welsh catalog can give them too. `tests/test_readability.py` scores every
text here at 80 or more on the Flesch reading ease scale.
"""

from __future__ import annotations

from typing import Final

from app.i18n import N_
from app.models import Prompt
from app.review import rules

_D, _DR, _DS, _DL = (
    rules.DEFAULT_PROMPTS["discover"],
    rules.DEFAULT_PROMPTS["dream"],
    rules.DEFAULT_PROMPTS["design"],
    rules.DEFAULT_PROMPTS["deliver"],
)

# The default question's text, as stored, to its wording for children.
CHILD_WORDING: Final[dict[str, str]] = {
    _D[0]: N_("Tell us about a time when someone helped keep a child safe. What did they do?"),
    _D[1]: N_("What is going well now to keep children safe? What do you like about it?"),
    _D[2]: N_("What helped that to happen?"),
    _DR[0]: N_("What good things would you like to see more of?"),
    _DR[1]: N_("Think of a year from now. All our wishes have come true. What is it like?"),
    _DS[0]: N_("Finish the line: children stay safe when ..."),
    _DS[1]: N_("What needs to happen so this works every time?"),
    _DL[0]: N_("What is one small thing you will do next week? Who will do it? When?"),
    # The next-time lane's own question (`lanes.DEFAULT_QUESTION`; a test keeps them equal).
    "What would help this go even better next time?": N_(
        "What would make it even better next time?"
    ),
}


def child_text(prompt: Prompt) -> str:
    """The question's wording for children: the facilitator's own, else a default's, else ""."""
    if prompt.text_child:
        return prompt.text_child
    # As stored, like the question itself: a phone in another language translates both.
    return CHILD_WORDING.get(prompt.text, "")
