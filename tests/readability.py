"""Flesch reading ease, with a small syllable counter (tests/test_readability.py tests it).

Flesch reading ease = 206.835 - 1.015 * (words / sentences) - 84.6 * (syllables / words).
80 and above reads as "easy" (about a reading age of 9). The counter is a rule of thumb for
English: vowel groups, less a silent final "e" and a silent "-ed" or "-es". It errs by a
syllable on some words; the tests pin the words the Easy Read and child-friendly texts use.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?|\d+")
_VOWELS = re.compile(r"[aeiouy]+")
# A vowel pair said as two syllables ("being", "idea", "create").
_SPLIT = re.compile(
    r"(?:[^aeiou]|^)(?:ia|(?<![gq])ua|uo|ea(?=[tl]e))|ei(?=ng)|oi(?=ng)|ie(?=r|nce)|[^aeiou]ea$"
)
# A silent e inside a compound word ("sometimes", "safeguarding", "homework").
_COMPOUND = re.compile(r"[^aeiou]e(?=(?:thing|times|where|body|work|guard)[a-z]*$)")


def syllables(word: str) -> int:
    """The syllables of one English word (a number counts as one)."""
    word = word.lower()
    if word.isdigit():
        return 1
    word = re.sub(r"'s$", "", word).replace("'", "")
    if len(word) <= 3:
        return 1
    count = len(_VOWELS.findall(word))
    count += len(_SPLIT.findall(word))
    count -= len(_COMPOUND.findall(word))
    if word.endswith("e") and not word.endswith(("le", "ee", "ye")):
        count -= 1  # "make", "time": a silent final e
    elif word.endswith("le") and len(word) > 2 and word[-3] in "aeiouy":
        count -= 1  # "while", "role"
    elif word.endswith("ed") and word[-3] not in "td":
        count -= 1  # "helped", "changed": a silent -ed
    elif word.endswith("es") and not re.search(r"(?:[sxz]|ch|sh|[cg])es$", word):
        count -= 1  # "takes", "comes": a silent -es
    return max(count, 1)


def words_of(text: str) -> list[str]:
    return _WORD.findall(text)


def sentences_of(text: str) -> int:
    """Sentences: ended by . ! ? or a line's end (Easy Read puts one idea on a line)."""
    parts = [p for p in re.split(r"[.!?]+|\n", text) if _WORD.search(p)]
    return max(len(parts), 1)


def flesch(text: str) -> float:
    """The Flesch reading ease of a text."""
    found = words_of(text)
    if not found:
        return 100.0
    total = sum(syllables(w) for w in found)
    return 206.835 - 1.015 * (len(found) / sentences_of(text)) - 84.6 * (total / len(found))
