"""Spot text that looks as if it identifies someone, so a person checks it before a screen shows it.

Screening is a net, not a judge: a flagged card is only held for the facilitator, who can
approve it, redact it or hide it. So it leans towards catching, while keeping the ordinary
stories of a review (ages, years, times, counts, service names) out of the net.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Final

import phonenumbers
from phonenumbers import phonenumberutil

# What a phone is told, after "Held for the facilitator to check, because ..." (the review
# service joins several with "and").
REASONS: Final[dict[str, str]] = {
    "email": "it seems to contain an email address",
    "phone": "it seems to contain a phone number",
    "postcode": "it seems to contain a postcode",
    "birth_date": "it seems to contain a date of birth",
    "nhs_number": "it seems to contain an NHS number",
    "address": "it seems to contain a street address",
    "url": "it contains a web address",
}
KINDS: Final[tuple[str, ...]] = tuple(REASONS)

# Every pattern here runs in time linear in the text, so no card can stall the server: a
# run of word characters is consumed whole (possessive quantifiers, atomic groups) and only
# from its first character (the look-behinds), never retried from each character within it.
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]++@[\w-]++(?:\.[\w-]++)++")

# The full UK postcode grammar (outward code, optional space, inward code), plus GIR 0AA.
_POSTCODE = re.compile(
    r"\b(?:GIR ?0AA|"
    r"[A-PR-UWYZ](?:\d{1,2}|[A-HK-Y]\d{1,2}|\d[A-HJKPSTUW]|[A-HK-Y]\d[ABEHMNPRV-Y])"
    r"\s?\d[ABD-HJLNP-UW-Z]{2})\b",
    re.IGNORECASE,
)

# A scheme or "www." with something after it, or a name ending in a known top-level domain:
# only the dot, the domain and what follows it are checked, at each dot (the name before it
# may be any run of letters, digits and hyphens, so it needs no scanning).
_URL = re.compile(
    r"\b(?:https?://|www\.)\S"
    r"|(?<=[a-z0-9-])\.(?:co\.uk|org\.uk|gov\.uk|nhs\.uk|ac\.uk|sch\.uk|com|org|"
    r"net|uk|io|info|me)\b",
    re.IGNORECASE,
)

# Ten digits, written together or as 3-3-4 with spaces or dashes.
_NHS = re.compile(r"(?<![\d-])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![\d-])")

_STREET_WORDS = (
    "Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Close|Drive|Dr|Way|Crescent|Court|Ct|Gardens|"
    "Terrace|Place|Pl|Grove|Walk|Row|Mews|Square|Rise|Hill|Parade|View|Green|Vale|Park|"
    "Boulevard|Croft|Fold|Wynd|Brow|Meadows|Heights"
)
# A house number (maybe "12a" or "Flat 3, 12"), then one to three capitalised words, then a
# street word: "14 Elm Grove", "27b Station Road", "3 St Mary's Close".
_ADDRESS = re.compile(
    r"\b\d{1,4}[a-zA-Z]?,?\s++(?:[A-Z][\w'’.-]*+\s++){1,3}(?:" + _STREET_WORDS + r")\b\.?"
)
# Courts and places a review names often that are not anyone's home: "two Family Court hearings".
_NOT_AN_ADDRESS = re.compile(
    r"\b(?:Family|Crown|Youth|County|Magistrates'?|High|Coroner's|Juvenile)\s+Court\b"
    r"|\bCentral\s+Park\b",
    re.IGNORECASE,
)

_MONTHS = (
    "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    "sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
# A date with its year: 03/04/2015, 3-4-15, 3.4.2015, 3rd April 2015, April 3, 2015.
_DATE_WITH_YEAR = re.compile(
    r"\b(?:\d{1,2}[/.-]\d{1,2}[/.-](?P<y1>\d{4}|\d{2})"
    r"|\d{1,2}(?:st|nd|rd|th)?\s++(?:of\s++)?(?:" + _MONTHS + r")\.?,?\s++(?P<y2>\d{4})"
    r"|(?:" + _MONTHS + r")\.?\s++\d{1,2}(?:st|nd|rd|th)?,?\s++(?P<y3>\d{4}))\b",
    re.IGNORECASE,
)
# A day and month, with or without a year: what "born on" is followed by.
_DAY_MONTH = re.compile(
    r"\b(?:\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?"
    r"|\d{1,2}(?:st|nd|rd|th)?\s++(?:of\s++)?(?:" + _MONTHS + r")"
    r"|(?:" + _MONTHS + r")\.?\s++\d{1,2}(?:st|nd|rd|th)?)\b",
    re.IGNORECASE,
)
_DOB_WORD = re.compile(r"\b(?:d\.?o\.?b\.?|date\s++of\s++birth|birth\s*+date)(?!\w)", re.IGNORECASE)
_BORN_ON = re.compile(r"\bborn\s++(?:on\s++)?(?:the\s++)?", re.IGNORECASE)
_BIRTHDAY = re.compile(r"\bbirthday\s++(?:is|was|falls)\b", re.IGNORECASE)
_BIRTH_NEAR = re.compile(r"\b(?:born|birthday|birth|dob|aged?)\b", re.IGNORECASE)
# A run of what a written phone number is made of (digits, spaces, the punctuation the
# phonenumbers library accepts between digits, a plus): the matcher sees one run at a time.
_PHONE_PUNCTUATION = "".join(
    ch for ch in phonenumberutil._VALID_PUNCTUATION + phonenumberutil._PLUS_CHARS if ch != "x"
)
_NUMBER_RUN = re.compile(r"[\d\s" + re.escape(_PHONE_PUNCTUATION) + r"]++")
# No phone number anywhere has fewer digits than this (country code included).
_PHONE_MIN_DIGITS = 6
# The longest run the matcher is given. A phone number, even "+44 (0)20 7946 0000" or two
# of them side by side, is shorter; a longer run of digits and separators is held for a
# person to check, as a phone number might be in it.
MAX_NUMBER_RUN = 32
# How many runs one text may make the matcher parse. Parsing is the costly part (up to a
# third of a millisecond for a run); an ordinary card has a handful. A text with more is
# held for a person to check, as if it held a phone number.
MAX_PHONE_CANDIDATES = 8
# Runs that are plainly a date or a span of years cost no parsing: 03/04/2015, 2019-2020.
_PLAIN_DATE = re.compile(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}\s?[-/‐–]\s?\d{2,4}")
# How near (in characters) a birth word must be to a dated day to make it a birth date.
_NEAR = 40
# Children in a review are under 18; 25 years leaves room for young adults and care leavers.
_BIRTH_YEARS = 25


def screen_text(text: str) -> list[str]:
    """Plain-words reasons why the text may identify someone; empty when it looks safe."""
    return [REASONS[kind] for kind in screen_kinds(text)]


def screen_kinds(text: str) -> list[str]:
    """The kinds of identifier the text seems to hold, in the order of KINDS."""
    found: set[str] = set()
    without_emails = _EMAIL.sub(" ", text)
    if without_emails != text:
        found.add("email")
    if _URL.search(without_emails):
        found.add("url")
    if _POSTCODE.search(text):
        found.add("postcode")
    if any(not _NOT_AN_ADDRESS.search(m.group(0)) for m in _ADDRESS.finditer(text)):
        found.add("address")
    nhs_spans = _nhs_numbers(text)
    if nhs_spans:
        found.add("nhs_number")
    if _phone_numbers(without_emails, nhs_spans):
        found.add("phone")
    if _birth_date(text):
        found.add("birth_date")
    return [kind for kind in KINDS if kind in found]


def nhs_checksum_ok(digits: str) -> bool:
    """Whether ten digits pass the NHS number's modulus-11 check."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _nhs_numbers(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in _NHS.finditer(text):
        digits = "".join(match.groups())
        # A leading 0 makes it a UK phone number; NHS numbers never start with 0.
        if digits[0] != "0" and nhs_checksum_ok(digits):
            spans.append(match.span())
    return spans


def _phone_numbers(text: str, skip: list[tuple[int, int]]) -> bool:
    # POSSIBLE, not VALID: the ranges Ofcom keeps for drama and numbers not yet allocated are
    # still someone's number to a person reading the screen. But a possible number must then
    # look dialled (a leading 0 or +, ten digits or more), or every year would be a phone.
    tries = MAX_PHONE_CANDIDATES
    for run in _NUMBER_RUN.finditer(text):
        raw_run = run.group(0).strip()
        if sum(ch.isdigit() for ch in raw_run) < _PHONE_MIN_DIGITS:
            continue  # too few digits to be anyone's number: years, counts, ages
        if _PLAIN_DATE.fullmatch(raw_run.rstrip(".")):
            continue
        if len(raw_run) > MAX_NUMBER_RUN or tries <= 0:
            return True  # more digits than a story holds in one place: a person checks it
        matcher = phonenumbers.PhoneNumberMatcher(
            run.group(0), "GB", leniency=phonenumbers.Leniency.POSSIBLE, max_tries=tries
        )
        for match in matcher:
            start = run.start() + match.start
            if any(begin <= start < end for begin, end in skip):
                continue  # the same digits as an NHS number already flagged
            raw = match.raw_string.strip()
            digits = sum(ch.isdigit() for ch in raw)
            dialled = raw[:1] in "0+(" or (raw[:1] == "7" and digits == 10)  # a mobile sans 0
            if phonenumbers.is_valid_number(match.number) or (dialled and digits >= 10):
                return True
        # The matcher counts down only the candidates it could not use; a run costs one try
        # even when it held none, so many short runs cannot buy unlimited parsing either.
        tries = min(tries - 1, matcher._max_tries)
    return False


def _birth_date(text: str) -> bool:
    if _DOB_WORD.search(text) and _DAY_MONTH.search(text):
        return True
    for born in _BORN_ON.finditer(text):
        if _DAY_MONTH.match(text, born.end()):
            return True
    for birthday in _BIRTHDAY.finditer(text):
        if _DAY_MONTH.search(text[birthday.end() : birthday.end() + 25]):
            return True
    this_year = date.today().year
    for match in _DATE_WITH_YEAR.finditer(text):
        raw = match.group("y1") or match.group("y2") or match.group("y3") or ""
        year = (
            int(raw) + (2000 if int(raw) <= this_year % 100 else 1900)
            if len(raw) == 2
            else int(raw)
        )
        if not this_year - _BIRTH_YEARS <= year <= this_year:
            continue
        window = text[max(0, match.start() - _NEAR) : match.end() + _NEAR]
        if _BIRTH_NEAR.search(window):
            return True
    return False
