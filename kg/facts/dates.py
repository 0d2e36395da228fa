"""Dates in an article's text, resolved against the date the article was issued.

Each expression found becomes the value it denotes, in the datatype the
ontology uses for it: ``xsd:date`` (``2026-01-27``), ``xsd:gYearMonth``
(``2022-03``) or ``xsd:gYear`` (``2022``). A value is *implied* when it needed
resolution: a weekday, a month and day without a year, "today", "last month",
"three days later".

Resolution rules, all deterministic:

- a month and day without a year takes the year that puts it closest to the
  date of issue (an article of 5 January writing "December 20" means the
  December before);
- a weekday ("on Tuesday") is the latest such day on or before the date of
  issue, or the first on or after it when the clause speaks of the future
  ("will", "is due", "scheduled", "next Tuesday"); "last Tuesday" is strictly
  before it;
- "N days/weeks later" (or "earlier") counts from the date written just before
  it in the text; "N days/weeks/months/years ago" from the date of issue.

>>> from datetime import date
>>> [(d.quote, d.value, d.implied) for d in find_dates("Signed on Tuesday.", date(2026, 1, 27))]
[('on Tuesday', '2026-01-27', True)]
>>> [(d.quote, d.value) for d in find_dates("Adopted in March 2022.", None)]
[('March 2022', '2022-03')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
MONTH_NAMES = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]  # fmt: skip

# Month names are matched capitalised only: "march" and "may" are also words.
_MONTH = (
    r"(?P<month>January|February|March|April|May|June|July|August|September|October|November"
    r"|December|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
)
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:1[89]|20)\d\d)"
# "Tuesday 28 May", "Monday, November 4": the weekday belongs to the date it precedes
_ON = r"(?:(?:[Oo]n )?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),? )?"
_NUMBER = r"(?P<count>\d+|" + "|".join(_NUMBERS) + r")"
_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("iso", re.compile(r"\b(?P<year>\d{4})-(?P<mon>\d\d)-(?P<day>\d\d)\b")),
    ("mdy", re.compile(rf"\b{_ON}{_MONTH} {_DAY},? {_YEAR}\b")),
    ("dmy", re.compile(rf"\b{_ON}{_DAY} {_MONTH},? {_YEAR}\b")),
    ("my", re.compile(rf"\b{_MONTH},? {_YEAR}\b")),
    ("md", re.compile(rf"\b{_ON}{_MONTH} {_DAY}\b(?!:\d)")),
    ("dm", re.compile(rf"\b{_ON}{_DAY} {_MONTH}(?![\w.])")),
    ("year", re.compile(rf"\b(?P<prep>[Ii]n|[Ss]ince|[Uu]ntil|[Bb]y) {_YEAR}\b(?![-–/]\d)")),
    (
        "weekday",
        re.compile(
            r"\b(?:(?P<prep>[Oo]n|[Ll]ast|[Nn]ext|[Tt]his) )?"
            r"(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
        ),
    ),
    ("deictic", re.compile(r"\b(?P<word>[Tt]oday|[Yy]esterday|[Tt]omorrow|[Tt]onight)\b")),
    ("period", re.compile(r"\b(?P<which>[Ll]ast|[Nn]ext|[Tt]his) (?P<unit>month|year)\b")),
    (
        "shift",
        re.compile(
            rf"\b{_NUMBER} (?P<unit>days?|weeks?|months?|years?) (?P<way>later|earlier|ago)\b",
            re.I,
        ),
    ),
]
_FUTURE = re.compile(
    r"\b(will|shall|is due|are due|is expected|are expected|scheduled|set to|plans? to)\b"
)


@dataclass(frozen=True)
class DateMention:
    """A date expression of the text and the value it denotes."""

    start: int
    end: int
    quote: str
    value: str
    datatype: str  # "xsd:date", "xsd:gYearMonth" or "xsd:gYear"
    implied: bool
    note: str  # how the value was obtained


def _month(name: str) -> int:
    return MONTHS[name.rstrip(".").lower()]


def _day_text(day: date) -> str:
    return (
        f"{WEEKDAYS[day.weekday()].capitalize()} {day.day} {MONTH_NAMES[day.month - 1]} {day.year}"
    )


def _closest_year(month: int, day: int, anchor: date) -> date | None:
    options = []
    for year in (anchor.year - 1, anchor.year, anchor.year + 1):
        try:
            options.append(date(year, month, day))
        except ValueError:
            continue
    return min(options, key=lambda d: (abs((d - anchor).days), d)) if options else None


def _add_months(day: date, months: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1


def _resolve(kind: str, m: re.Match, text: str, anchor: date | None, previous: date | None):
    """(value, datatype, implied, note, day) for one match, or None when it cannot be resolved."""
    resolved = _resolve_value(kind, m, text, anchor, previous)
    said = (
        re.match(r"(?:[Oo]n )?(\w+day)\b", m.group(0))
        if kind in ("mdy", "dmy", "md", "dm")
        else None
    )
    if (
        resolved
        and resolved[4]
        and said
        and said.group(1).lower() != WEEKDAYS[resolved[4].weekday()]
    ):
        value, datatype, implied, note, day = resolved
        real = WEEKDAYS[day.weekday()].capitalize()
        return (
            value,
            datatype,
            implied,
            f"{note}; but it is a {real}, not a {said.group(1)}: check",
            day,
        )
    return resolved


def _resolve_value(kind: str, m: re.Match, text: str, anchor: date | None, previous: date | None):
    g = m.groupdict()
    if kind in ("iso", "mdy", "dmy"):
        month = int(g["mon"]) if kind == "iso" else _month(g["month"])
        try:
            day = date(int(g["year"]), month, int(g["day"]))
        except ValueError:
            return None
        return day.isoformat(), "xsd:date", False, "as written", day
    if kind == "my":
        return f"{g['year']}-{_month(g['month']):02d}", "xsd:gYearMonth", False, "as written", None
    if kind == "year":
        return g["year"], "xsd:gYear", False, "as written", None
    if anchor is None:
        return None
    if kind in ("md", "dm"):
        if not 1 <= int(g["day"]) <= 31:
            return None
        day = _closest_year(_month(g["month"]), int(g["day"]), anchor)
        if day is None:
            return None
        note = f"the year closest to the date of issue ({anchor.isoformat()})"
        return day.isoformat(), "xsd:date", True, note, day
    if kind == "weekday":
        target = WEEKDAYS.index(g["weekday"].lower())
        prep = (g["prep"] or "").lower()
        clause = re.split(r"[.!?\n;]", text[max(0, m.start() - 160) : m.start()])[-1]
        if prep == "next" or (prep != "last" and _FUTURE.search(clause)):
            day = anchor + timedelta(
                days=(target - anchor.weekday()) % 7 or (7 if prep == "next" else 0)
            )
            how = "on or after"
        else:
            back = (anchor.weekday() - target) % 7
            if prep == "last" and back == 0:
                back = 7
            day = anchor - timedelta(days=back)
            how = "before" if prep == "last" else "on or before"
        note = f"{_day_text(day)}: the {g['weekday']} {how} the date of issue"
        return day.isoformat(), "xsd:date", True, note, day
    if kind == "deictic":
        word = g["word"].lower()
        shift = {"today": 0, "tonight": 0, "yesterday": -1, "tomorrow": 1}[word]
        day = anchor + timedelta(days=shift)
        note = f"{_day_text(day)}: {word}, counted from the date of issue"
        return day.isoformat(), "xsd:date", True, note, day
    if kind == "period":
        step = {"last": -1, "this": 0, "next": 1}[g["which"].lower()]
        if g["unit"] == "month":
            year, month = _add_months(anchor, step)
            note = f"{g['which'].lower()} month, counted from the date of issue"
            return f"{year}-{month:02d}", "xsd:gYearMonth", True, note, None
        note = f"{g['which'].lower()} year, counted from the date of issue"
        return str(anchor.year + step), "xsd:gYear", True, note, None
    if kind == "shift":
        count_text = g["count"].lower()
        count = int(count_text) if count_text.isdigit() else _NUMBERS[count_text]
        way = g["way"].lower()
        base, base_name = (anchor, "the date of issue") if way == "ago" else (previous, None)
        if base is None:
            return None
        base_name = base_name or f"the date before it in the text ({base.isoformat()})"
        sign = 1 if way == "later" else -1
        unit = g["unit"].lower().rstrip("s")
        if unit in ("day", "week"):
            day = base + timedelta(days=sign * count * (7 if unit == "week" else 1))
            note = f"{_day_text(day)}: counted from {base_name}"
            return day.isoformat(), "xsd:date", True, note, day
        if unit == "month":
            year, month = _add_months(base, sign * count)
            return f"{year}-{month:02d}", "xsd:gYearMonth", True, f"counted from {base_name}", None
        return str(base.year + sign * count), "xsd:gYear", True, f"counted from {base_name}", None
    return None


def find_dates(text: str, anchor: date | None) -> list[DateMention]:
    """Every date expression of ``text`` that can be resolved, in text order.

    Overlapping matches keep the longest ("January 27, 2026" over "January 27").
    Without ``anchor`` only dates written in full are returned.
    """
    matches = []
    for order, (kind, pattern) in enumerate(_PATTERNS):
        for m in pattern.finditer(text):
            matches.append((m.start(), -(m.end() - m.start()), order, kind, m))
    taken: list[tuple[int, int]] = []
    chosen = []
    for start, negative_length, _order, kind, m in sorted(matches, key=lambda x: x[:3]):
        end = start - negative_length
        if any(start < e and s < end for s, e in taken):
            continue
        taken.append((start, end))
        chosen.append((kind, m))
    found: list[DateMention] = []
    previous: date | None = None
    for kind, m in sorted(chosen, key=lambda x: x[1].start()):
        resolved = _resolve(kind, m, text, anchor, previous)
        if resolved is None:
            continue
        value, datatype, implied, note, day = resolved
        found.append(DateMention(m.start(), m.end(), m.group(0), value, datatype, implied, note))
        if day is not None:
            previous = day
    return found


def full_dates(text: str) -> list[date]:
    """The dates written in full (with a year) in ``text``, in text order."""
    return [
        date.fromisoformat(d.value)
        for d in find_dates(text, None)
        if d.datatype == "xsd:date" and not d.implied
    ]


def issue_date(text: str, month: int | None, day: int | None) -> tuple[date | None, str]:
    """The date of issue from a dateline's month and day, and how it was found.

    The year is that of a full date in the text with the same month and day
    (an embedded post "January 27, 2026"), else of the latest full date.

    >>> issue_date("Jan 27 ... posted January 27, 2026", 1, 27)
    (datetime.date(2026, 1, 27), 'the dateline, with the year of "January 27, 2026" in the text')
    """
    if month is None or day is None:
        return None, "no date in the dateline"
    written = find_dates(text, None)
    same = [
        d for d in written if d.datatype == "xsd:date" and d.value[5:] == f"{month:02d}-{day:02d}"
    ]
    pick = same[0] if same else None
    if pick is None:
        full = [d for d in written if d.datatype == "xsd:date"]
        if not full:
            return None, "the dateline gives no year and the text has no full date"
        pick = max(full, key=lambda d: d.value)
    try:
        found = date(int(pick.value[:4]), month, day)
    except ValueError:
        return None, "the dateline's day does not exist in that year"
    return found, f'the dateline, with the year of "{pick.quote}" in the text'
