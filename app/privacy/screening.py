"""Spot text that looks as if it identifies someone, so a person checks it before a screen shows it."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)


def screen_text(text: str) -> list[str]:
    """Plain-words reasons why the text may identify someone; empty when it looks safe."""
    reasons: list[str] = []
    if _EMAIL.search(text):
        reasons.append("it contains an email address")
    if _POSTCODE.search(text):
        reasons.append("it contains a postcode")
    if _URL.search(text):
        reasons.append("it contains a web address")
    return reasons
