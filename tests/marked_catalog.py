"""A stand-in catalog in which every message is marked, to find words that skip the catalog.

Every message of `app/locale/messages.pot` is "translated" to itself inside ⟦ ⟧, so a page
rendered in that language shows each catalogued word marked; any word left bare was written
into the code or a template without going through `_()`, `t()` or `nt()`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from app import i18n

OPEN, CLOSE = "⟦", "⟧"
LANGUAGE = "cy"  # a language Lantern knows, so `?lang=` can ask for it
_MARKED = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")
_LETTER = re.compile(r"[^\W\d_]")


def write_marked_catalog(locale_dir: Path) -> Path:
    """Write the marked catalog under `locale_dir` (as `LANTERN_LOCALE_DIR` expects it)."""
    with i18n.TEMPLATE.open("rb") as f:
        template = read_po(f)
    catalog = Catalog(locale=LANGUAGE)
    for message in template:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            singular, plural = message.id
            forms = [singular] + [plural] * (catalog.num_plurals - 1)
            catalog.add(message.id, tuple(f"{OPEN}{form}{CLOSE}" for form in forms))
        else:
            catalog.add(message.id, f"{OPEN}{message.id}{CLOSE}")
    po = locale_dir / LANGUAGE / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True, exist_ok=True)
    with po.open("wb") as f:
        write_po(f, catalog)
    return po


def unmarked(texts: Iterable[str], exempt: Iterable[str] = ()) -> list[str]:
    """The texts holding a word that did not come from the catalog.

    Exempt are what people typed (cards, names, titles, questions), whole or shortened with
    "…", and codes; numbers and punctuation never count.
    """
    spared = sorted({e for e in exempt if e}, key=len, reverse=True)
    found = []
    for text in texts:
        if text.endswith("…") and any(word.startswith(text[:-1]) for word in spared):
            continue  # what someone typed, shortened to fit (a chart's label)
        rest = text
        for word in spared:
            rest = rest.replace(word, " ")
        while True:
            shorter = _MARKED.sub(" ", rest)
            if shorter == rest:
                break
            rest = shorter
        if _LETTER.search(rest):
            found.append(text)
    return found
