"""Lantern speaks Welsh: every message has its Welsh, and Welsh counts as Welsh does.

When a new message is added (`make messages`), the first test here fails and lists it, so no
feature can leave a Welsh speaker with English. `make untranslated` runs it alone.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from app import i18n
from tests.driver import new_review

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "app" / "locale" / "messages.pot"
WELSH = ROOT / "app" / "locale" / "cy" / "LC_MESSAGES" / "messages.po"
# What a translation must carry over unchanged: placeholders and markup.
KEPT = re.compile(r"%\(\w+\)[sdr]|</?[a-z]+>")


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def _key(message_id: str | tuple[str, ...]) -> str:
    return message_id[0] if isinstance(message_id, tuple) else message_id


def test_every_message_has_its_welsh() -> None:
    template = _read(TEMPLATE)
    welsh = _read(WELSH, "cy")
    missing = []
    for message in template:
        if not message.id:
            continue
        found = welsh.get(message.id)
        strings = (
            ()
            if found is None
            else found.string
            if isinstance(found.string, tuple)
            else (found.string,)
        )
        if found is None or found.fuzzy or not strings or not all(strings):
            missing.append(_key(message.id))
    assert not missing, (
        f"{len(missing)} messages have no Welsh in {WELSH.relative_to(ROOT)} "
        f"(run `make messages`, then translate them): {missing}"
    )


def test_welsh_keeps_every_placeholder_and_tag() -> None:
    """A lost `%(n)s` would show a sentence with a hole in it; a new one would fail outright."""
    wrong = []
    for message in _read(WELSH, "cy"):
        if not message.id or not message.string:
            continue
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        allowed = [sorted(set(KEPT.findall(source))) for source in sources]
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        wrong += [
            (sources[0], form) for form in forms if sorted(set(KEPT.findall(form))) not in allowed
        ]
    assert not wrong, wrong


def test_welsh_has_six_plural_forms_one_for_each_of_the_browsers_categories() -> None:
    welsh = _read(WELSH, "cy")
    assert welsh.num_plurals == 6
    plural = [m for m in welsh if m.id and isinstance(m.id, tuple)]
    assert plural
    assert all(len(m.string) == 6 for m in plural)
    # The browser (Intl.PluralRules, CLDR) names the category; the catalog's formula the form.
    assert i18n.script_catalog("cy")[""] == {
        "zero": 0,
        "one": 1,
        "two": 2,
        "few": 3,
        "many": 4,
        "other": 5,
    }
    rule = Locale.parse("cy").plural_form
    assert [rule(n) for n in (0, 1, 2, 3, 6, 7)] == ["zero", "one", "two", "few", "many", "other"]


def test_the_server_speaks_welsh_plurals() -> None:
    with i18n.speaking("cy"):
        forms = {n: i18n.ngettext("%(n)s person", "%(n)s people", n) % {"n": n} for n in (1, 3)}
    assert forms == {1: "1 person", 3: "3 o bobl"}


def test_a_page_carries_only_its_own_scripts_words_and_the_join_page_stays_small(
    client: TestClient, fac_headers: dict[str, str]
) -> None:
    """The issue's bound: the join page under 60 KB transferred in every language (the
    server sends it uncompressed, so its length is what is transferred)."""
    code = new_review(client, fac_headers)["code"]
    for lang in ("en", "cy"):
        for path in ("/", f"/j/{code}"):
            size = len(client.get(f"{path}?lang={lang}").content)
            assert size < 60_000, (path, lang, size)
    phone = client.get(f"/j/{code}?lang=cy").text
    start = phone.index('id="lantern-messages">') + len('id="lantern-messages">')
    words = json.loads(phone[start : phone.index("</script>", start)])
    assert words["Sending your card."] == "Wrthi'n anfon eich cerdyn."  # the phone's own script
    assert "Choose the JSON file first." not in words  # the facilitator's page's
    assert "Nothing recorded yet." not in words  # the console's
