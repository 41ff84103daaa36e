"""python -m bench screening: the worst time screening takes on a hostile 4,000-character card.

Each pattern of app/privacy/screening.py is fed long runs of its own ingredients (the
characters it scans, the separators it allows, the words it looks for), the cards that
made the old patterns quadratic among them. Each card is screened `--repeat` times and the
fastest time kept (the machine's noise only ever adds). A plain story of the same length
is the baseline.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

from app.privacy.screening import screen_kinds

CARD = 4000  # characters: the longest card a phone may send (rules.MAX_CARD_TEXT)

_STORY = (
    "The school nurse noticed Child A was tired every morning and spoke to the designated "
    "safeguarding lead the same day. That quick conversation started everything. "
)


def _fill(unit: str, size: int = CARD) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def adversarial_cards(size: int = CARD) -> dict[str, str]:
    """Hostile cards by name: long runs of what each pattern scans, `size` characters each."""
    units = {
        # email: word characters, dots, pluses and hyphens before an @ that never comes
        "email word run": "a",
        "email dotted run": "a.",
        "email many ats": "a@",
        "email long domain": "a@b.",
        "email plus run": "+a",
        # url: dotted names, hyphens, www. and schemes
        "url dotted digits": "1.",
        "url hyphens": "a-",
        "url www": "www.",
        "url dotcom": "a.com",
        "url scheme": "http://",
        "url co without uk": "a.co.",
        # postcode
        "postcode outward codes": "A1 ",
        "postcode letters": "AB1",
        # address: house numbers, capitalised words, street words
        "address numbers": "12 ",
        "address capitals": "1 Abc Abc ",
        "address long word": "1 " + "A" * 50 + " ",
        "address street words": "1 Road ",
        # dates and birth words
        "date numbers": "1/1/",
        "date months": "3 may ",
        "date month words": "march 3rd ",
        "born on": "born on ",
        "birthday is": "birthday is ",
        "dob words": "dob 1/1 ",
        "date with year": "born 3 May 2015 ",
        # phone and NHS numbers: digits and every separator a number allows
        "digits": "1",
        "digits spaced": "1 ",
        "digits dashed": "1-",
        "digits slashed": "1/",
        "digits dotted spaced": "1. ",
        "digits bracketed": "(0",
        "digits plus": "+1 ",
        "phone shaped": "07700 900123 ",
        "nhs shaped": "943 476 5919 ",
        "numbers between words": "a 123456 ",
        "whitespace": " \n\t",
    }
    return {name: _fill(unit, size) for name, unit in units.items()}


def fastest(text: str, repeat: int) -> float:
    """The fastest of `repeat` screenings of the text, in milliseconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        screen_kinds(text)
        best = min(best, time.perf_counter() - start)
    return best * 1000


def main(argv: Sequence[str] | None = None) -> int:
    """Screen every hostile card and the baseline; print each time, worst last."""
    parser = argparse.ArgumentParser(prog="python -m bench screening", description=__doc__)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--size", type=int, default=CARD)
    args = parser.parse_args(argv)
    baseline = fastest(_fill(_STORY, args.size), args.repeat)
    print(f"{'plain story (baseline)':<26} {baseline:7.2f} ms")
    times = {
        name: fastest(text, args.repeat) for name, text in adversarial_cards(args.size).items()
    }
    for name, ms in sorted(times.items(), key=lambda item: item[1]):
        print(f"{name:<26} {ms:7.2f} ms  {ms / baseline:5.1f}x baseline")
    worst = max(times, key=lambda name: times[name])
    print(f"worst: {worst}, {times[worst]:.2f} ms for {args.size} characters")
    return 0
