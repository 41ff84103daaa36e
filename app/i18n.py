"""The message catalog: every string a person reads goes through here, in their language.

The source strings are British English, written in the code and templates. Translations live
in gettext catalogs, `app/locale/<language>/LC_MESSAGES/messages.po`, read when first needed
(there is no build step: the .po file is compiled in memory). `app/locale/messages.pot` holds
every message the code uses; `make messages` extracts it again and a test fails when it is out
of date, so no string can skip the catalog.

- Python: `_("Hello %(name)s", name=x)` translates now, in the current request's language;
  `N_("...")` only marks a string that is translated later (a module-level constant, an
  error message the domain raises and the API translates).
- Templates: `{{ _("...") }}` (Jinja's i18n extension, autoescaped).
- JavaScript: `t("...")` from `/static/i18n.js`; the page carries the translations of the
  script's messages as JSON, rendered by the server.

Placeholders are `%(name)s` everywhere, so a translator meets one syntax.
"""

from __future__ import annotations

import gettext as _gettext
import io
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Final

LOCALE_DIR: Final = Path(
    # Another folder of catalogs (a translator's draft, a test's stand-in) may be named.
    os.environ.get("LANTERN_LOCALE_DIR") or Path(__file__).resolve().parent / "locale"
)
TEMPLATE: Final = Path(__file__).resolve().parent / "locale" / "messages.pot"
# The source language comes first. A language is offered once its catalog exists.
SOURCE: Final = "en"
KNOWN: Final[dict[str, str]] = {"en": "en-GB", "cy": "cy"}

_current: ContextVar[str] = ContextVar("lantern_language", default=SOURCE)


def languages() -> tuple[str, ...]:
    """The languages Lantern can speak now: the source and every language with a catalog."""
    found = [SOURCE]
    for code in KNOWN:
        if code != SOURCE and (LOCALE_DIR / code / "LC_MESSAGES" / "messages.po").exists():
            found.append(code)
    return tuple(found)


@lru_cache(maxsize=8)
def translations(language: str) -> _gettext.NullTranslations:
    """The compiled catalog of one language (the source language translates to itself)."""
    po = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if language == SOURCE or not po.exists():
        return _gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as source:
        catalog = read_po(source, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return _gettext.GNUTranslations(compiled)


# The CLDR locale of each language, for dates written out in words (month and day names).
_CLDR: Final[dict[str, str]] = {"en": "en_GB", "cy": "cy"}


def date_words(value: date, pattern: str) -> str:
    """A date in the current language, by a CLDR pattern: "d MMMM y" gives 1 December 2026
    in English and 1 Rhagfyr 2026 in Welsh; "EEEE" the day's name."""
    from babel.dates import format_date

    return format_date(value, pattern, locale=_CLDR.get(language(), _CLDR[SOURCE]))


def language() -> str:
    """The language of the request (or task) being served."""
    return _current.get()


def html_lang(code: str | None = None) -> str:
    """The value for `<html lang>`."""
    return KNOWN.get(code or language(), KNOWN[SOURCE])


@contextmanager
def speaking(code: str) -> Iterator[None]:
    """Serve what runs inside in this language (an export, a background task)."""
    token = _current.set(code if code in languages() else SOURCE)
    try:
        yield
    finally:
        _current.reset(token)


def set_language(code: str) -> None:
    """Serve the rest of this request in this language (the language middleware calls it)."""
    _current.set(code if code in languages() else SOURCE)


def gettext(message: str) -> str:
    """`message` in the current language (for Jinja, which formats placeholders itself)."""
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for `n`, in the current language."""
    return translations(_current.get()).ngettext(singular, plural, n)


def _(message: str, **params: object) -> str:
    """`message` in the current language, its `%(name)s` placeholders filled."""
    text = gettext(message)
    return text % params if params else text


def N_(message: str) -> str:
    """Mark a message for the catalog, to be translated where it is shown."""
    return message


def negotiate(asked: str | None, remembered: str | None, accept_language: str | None) -> str:
    """The language to serve: `?lang=`, else the remembered choice, else the browser's."""
    offered = languages()
    for choice in (asked, remembered):
        if choice and choice.lower() in offered:
            return choice.lower()
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _sep, rest = part.strip().partition(";")
        quality = 1.0
        if rest.strip().startswith("q="):
            try:
                quality = float(rest.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, position, tag.strip().split("-")[0].lower()))
    for quality, _position, code in sorted(ranked):
        if quality < 0 and code in offered:
            return code
    return SOURCE


@lru_cache(maxsize=1)
def _located_script_messages() -> tuple[tuple[str | tuple[str, str], frozenset[str]], ...]:
    """Each message the browser's scripts use, with the scripts (paths under app/static/)
    that use it. A message with plural forms is a (singular, plural) pair."""
    if not TEMPLATE.exists():
        return ()
    from babel.messages.pofile import read_po

    with TEMPLATE.open("rb") as source:
        catalog = read_po(source)
    found: list[tuple[str | tuple[str, str], frozenset[str]]] = []
    for message in catalog:
        scripts = frozenset(
            path.removeprefix(_STATIC_PREFIX)
            for path, _line in message.locations
            if path.startswith(_STATIC_PREFIX)
        )
        if not message.id or not scripts:
            continue
        if isinstance(message.id, str):
            found.append((message.id, scripts))
        else:
            found.append(((str(message.id[0]), str(message.id[1])), scripts))
    return tuple(found)


_STATIC_PREFIX: Final = "app/static/"
STATIC_DIR: Final = Path(__file__).resolve().parent / "static"
_IMPORT = re.compile(r"""(?:\bfrom|\bimport)\s*\(?\s*["'](\.{1,2}/[^"']+\.js)["']""")


def script_messages(
    scripts: frozenset[str] | None = None,
) -> tuple[str | tuple[str, str], ...]:
    """The messages the browser's scripts use: every script's, or only those of `scripts`
    (paths under app/static/, as `page_scripts` gives them)."""
    return tuple(
        message
        for message, used_in in _located_script_messages()
        if scripts is None or used_in & scripts
    )


@lru_cache(maxsize=16)
def page_scripts(*entries: str) -> frozenset[str]:
    """Every script a page runs: its entry modules (paths under app/static/) and all they
    import, followed through the static folder. A page carries the translations of these
    scripts' messages only, so a phone in Welsh is not sent the console's words."""
    seen: set[str] = set()
    waiting = list(entries)
    while waiting:
        path = waiting.pop()
        if path in seen:
            continue
        seen.add(path)
        try:
            source = (STATIC_DIR / path).read_text(encoding="utf-8")
        except OSError:
            continue
        folder = Path(path).parent
        for relative in _IMPORT.findall(source):
            waiting.append(os.path.normpath(folder / relative))
    return frozenset(seen)


# Numbers that show every CLDR plural category of the languages Lantern knows.
_PLURAL_SAMPLES: Final = (*range(0, 200), 1000, 1000000)


def _plural_categories(code: str, chosen: _gettext.NullTranslations) -> dict[str, int]:
    """Which of the catalog's plural forms each CLDR category (Intl.PluralRules) takes."""
    from babel import Locale

    rule = Locale.parse(code).plural_form
    categories: dict[str, int] = {}
    plural = getattr(chosen, "plural", None)
    if plural is None:
        return categories
    for n in _PLURAL_SAMPLES:
        categories.setdefault(rule(n), int(plural(n)))
    return categories


def script_catalog(
    code: str | None = None, scripts: frozenset[str] | None = None
) -> dict[str, object]:
    """The scripts' messages in a language, for the page to hand to `t()` and `nt()`
    (only those of `scripts` when named: see `page_scripts`).

    A plain message maps to its translation; a plural one (keyed by its singular) to the list
    of its forms, and the key "" says which form each of the browser's plural categories
    (`Intl.PluralRules`) takes. Untranslated messages are left out: the scripts show them as
    written.
    """
    language_code = code or language()
    chosen = translations(language_code)
    found: dict[str, object] = {}
    plurals = False
    for message in script_messages(scripts):
        if isinstance(message, tuple):
            singular, plural = message
            forms = _plural_forms(chosen, singular, plural)
            if forms:
                found[singular] = forms
                plurals = True
            continue
        translated = chosen.gettext(message)
        if translated != message:
            found[message] = translated
    if plurals:
        found[""] = _plural_categories(language_code, chosen)
    return found


def _plural_forms(
    chosen: _gettext.NullTranslations, singular: str, plural: str
) -> list[str] | None:
    """Every plural form of a message in a compiled catalog, or None when untranslated."""
    catalog = getattr(chosen, "_catalog", None)
    if not catalog or (singular, 0) not in catalog:
        return None
    forms: list[str] = []
    index = 0
    while (singular, index) in catalog:
        forms.append(str(catalog[(singular, index)]))
        index += 1
    return forms
