"""Replace a review's real names and places with their pseudonyms, on entry."""

from __future__ import annotations

import re
from collections.abc import Iterable


def apply_keep_out(text: str, terms: Iterable[tuple[str, str]]) -> str:
    """The text with every listed term, matched whole and case-insensitively, replaced."""
    pairs = sorted(((t.strip(), r) for t, r in terms if t.strip()), key=lambda p: -len(p[0]))
    if not pairs:
        return text
    by_lower = {term.lower(): replacement for term, replacement in pairs}
    # Longest first, so "Jade Smith" wins over "Jade"; \b-like guards that also work for
    # terms that begin or end with punctuation.
    pattern = re.compile(
        r"(?<!\w)(?:" + "|".join(re.escape(term) for term, _ in pairs) + r")(?!\w)",
        re.IGNORECASE,
    )
    return pattern.sub(lambda m: by_lower[m.group(0).lower()], text)
