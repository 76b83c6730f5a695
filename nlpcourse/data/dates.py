"""Date-normalisation pairs, made by the course (tier 1, generated).

First used in notebooks/12_seq2seq.

A sequence-to-sequence task that needs no download and has one right answer: rewrite a
date written in one of many English or Korean formats as ISO 8601.

    "Saturday, November 21, 2026"  ->  "2026-11-21"
    "2026년 11월 21일 토요일"        ->  "2026-11-21"

Dates are drawn uniformly from 1950-01-01 to 2049-12-31 (36,525 days) and a format
uniformly from ``FORMATS``. The split is fixed by the date itself, not by the seed: a day
whose ISO string hashes to 0 mod 10 belongs to the held-out days, so no test date is ever
seen in training in any format, whatever seed or sizes are asked for. Validation and test
share those held-out days but are drawn with different streams.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Callable

__all__ = ["FORMATS", "format_date", "dates"]

_FIRST, _LAST = dt.date(1950, 1, 1), dt.date(2049, 12, 31)
# Names spelled out rather than taken from strftime, whose %B and %A follow the locale.
_MONTHS = ("January", "February", "March", "April", "May", "June", "July",
           "August", "September", "October", "November", "December")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_KOREAN_WEEKDAYS = "월화수목금토일"


def _month(d: dt.date) -> str:
    return _MONTHS[d.month - 1]


def _ordinal(day: int) -> str:
    suffix = "th" if 11 <= day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


# name -> how to write a date. Every format states year, month and day unambiguously
# (no two-digit years, and the day-first and month-first numeric formats use different
# separators), so each input has exactly one correct output.
FORMATS: dict[str, Callable[[dt.date], str]] = {
    "long": lambda d: f"{_month(d)} {d.day}, {d.year}",  # November 21, 2026
    "long_weekday": lambda d: f"{_WEEKDAYS[d.weekday()]}, {_month(d)} {d.day}, {d.year}",
    "day_month": lambda d: f"{d.day} {_month(d)} {d.year}",  # 21 November 2026
    "ordinal": lambda d: f"the {_ordinal(d.day)} of {_month(d)} {d.year}",  # the 21st of ...
    "short": lambda d: f"{_month(d)[:3]} {d.day}, {d.year}",  # Nov 21, 2026
    "short_lower": lambda d: f"{_month(d)[:3].lower()} {d.day} {d.year}",  # nov 21 2026
    "us_slash": lambda d: f"{d.month}/{d.day}/{d.year}",  # 11/21/2026
    "eu_dot": lambda d: f"{d.day:02d}.{d.month:02d}.{d.year}",  # 21.11.2026
    "korean": lambda d: f"{d.year}년 {d.month}월 {d.day}일",  # 2026년 11월 21일
    "korean_weekday": lambda d: f"{d.year}년 {d.month}월 {d.day}일 {_KOREAN_WEEKDAYS[d.weekday()]}요일",
    "korean_dot": lambda d: f"{d.year}. {d.month}. {d.day}.",  # 2026. 11. 21.
}


def format_date(date: dt.date, style: str) -> str:
    """Write ``date`` in one of ``FORMATS``."""
    if style not in FORMATS:
        raise ValueError(f"unknown date format {style!r}; choose one of {sorted(FORMATS)}")
    return FORMATS[style](date)


def _held_out(date: dt.date) -> bool:
    return int(hashlib.sha256(date.isoformat().encode()).hexdigest(), 16) % 10 == 0


def _sample(rng: random.Random, n: int, held_out: bool) -> list[tuple[str, str]]:
    span = (_LAST - _FIRST).days
    pairs = []
    while len(pairs) < n:
        date = _FIRST + dt.timedelta(days=rng.randrange(span + 1))
        if _held_out(date) == held_out:
            pairs.append((format_date(date, rng.choice(sorted(FORMATS))), date.isoformat()))
    return pairs


def dates(n_train: int = 20_000, n_valid: int = 1_000, n_test: int = 1_000, seed: int = 0) -> dict[str, list[tuple[str, str]]]:
    """``{"train", "validation", "test"}`` lists of ``(written date, ISO date)`` pairs.

    The same arguments always give the same pairs. Held-out days (about 10% of all
    days) appear only in validation and test.
    """
    for name, n in (("n_train", n_train), ("n_valid", n_valid), ("n_test", n_test)):
        if n < 0:
            raise ValueError(f"{name} must be non-negative, got {n}")
    return {
        "train": _sample(random.Random(f"train-{seed}"), n_train, held_out=False),
        "validation": _sample(random.Random(f"validation-{seed}"), n_valid, held_out=True),
        "test": _sample(random.Random(f"test-{seed}"), n_test, held_out=True),
    }
