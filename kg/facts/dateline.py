"""What an article says about itself: a metadata header, the dateline (place, date,
agency), and the guesses a draft facts file starts its ``[source]`` from.

A metadata header is a block of ``Key: value`` lines at the very top of the file
(keys: title, headline, date, published, issued, agency, publisher, source, type),
ended by a blank line. A dateline opens the story: ``New Delhi [India], January
27 (ANI):``, ``BRUSSELS, Jan 5 (Reuters) -``, ``Tokyo (AP) —``.

>>> d = read_dateline("New Delhi [India], January 27 (ANI): As India and EU signed")
>>> d.text, d.place, d.month, d.day, d.agency
('New Delhi [India], January 27 (ANI)', 'New Delhi', 1, 27, 'ANI')
>>> slug("EU–India SDP: the pact")
'eu-india-sdp-the-pact'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from kg.facts.dates import MONTHS

_HEADER_LINE = re.compile(
    r"(?P<key>title|headline|date|published|issued|agency|publisher|source|type)[ \t]*:[ \t]*"
    r"(?P<value>[^\n]*)\n",
    re.I,
)
_DATELINE = re.compile(
    r"(?P<place>[A-Z][^\n():,]{0,60}?(?: \[[^\]\n]{1,40}\])?)"
    r"(?:,\s*(?:(?P<month>[A-Z][a-z]{2,8})\.? (?P<day>[0-3]?\d)"
    r"|(?P<day2>[0-3]?\d) (?P<month2>[A-Z][a-z]{2,8}))(?:,? (?P<year>\d{4}))?)?"
    r"\s*\((?P<agency>[A-Z][\w.&' -]{0,30})\)"
)


@dataclass
class Dateline:
    """The dateline of an article and its parts (any of which may be missing)."""

    start: int
    end: int
    text: str
    place: str | None
    month: int | None
    day: int | None
    year: int | None
    agency: str | None


@dataclass
class Header:
    """The metadata header at the top of a file: its fields and where the body starts."""

    fields: dict[str, str] = field(default_factory=dict)
    body_start: int = 0


def read_header(text: str) -> Header:
    """The ``Key: value`` lines at the top of ``text``, if a blank line ends them."""
    header = Header()
    position = 0
    fields: dict[str, str] = {}
    while match := _HEADER_LINE.match(text, position):
        fields.setdefault(match["key"].lower(), match["value"].strip())
        position = match.end()
    if fields and text.startswith("\n", position):
        header.fields, header.body_start = fields, position + 1
    return header


def read_dateline(text: str, start: int = 0) -> Dateline | None:
    """The dateline opening ``text`` at ``start`` (after white space), or None."""
    offset = start + len(text[start:]) - len(text[start:].lstrip())
    match = _DATELINE.match(text, offset)
    if match is None:
        return None
    month_name = (match["month"] or match["month2"] or "").lower()
    month = MONTHS.get(month_name)
    if month_name and month is None:
        return None  # "Word 12" that is not a month: not a dateline
    day = match["day"] or match["day2"]
    place = re.sub(r"\s*\[[^\]]*\]$", "", match["place"]).strip()
    return Dateline(
        start=match.start(),
        end=match.end(),
        text=match.group(0),
        place=place or None,
        month=month,
        day=int(day) if day else None,
        year=int(match["year"]) if match["year"] else None,
        agency=match["agency"].strip(),
    )


def slug(text: str) -> str:
    """A node id made of ``text``: lower-case ASCII letters and digits joined by '-'."""
    spaced = re.sub(r"[^\w.]+", " ", text)  # dashes and punctuation separate words
    ascii_text = unicodedata.normalize("NFKD", spaced).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9._]+", "-", ascii_text.lower()).strip("-._")
