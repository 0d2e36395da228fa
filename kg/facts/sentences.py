"""Sentences of an article, with their offsets, for the comments of a draft facts file.

A sentence ends at a line break, or at ``.``, ``!``, ``?`` or ``…`` (with any
closing quotes or brackets) followed by white space and a capital letter, a
digit or an opening quote, unless the full stop ends a known abbreviation or
an initial. Offsets are Unicode code points, 0-based, end exclusive, as in
facts files.

>>> [s.text for s in split_sentences("Mr. Singh spoke. He left.\\nThe end")]
['Mr. Singh spoke.', 'He left.', 'The end']
>>> split_sentences("  Two words. ")[0].start
2
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "gen", "col", "lt", "maj", "capt", "sgt", "rep", "sen",
    "gov", "pres", "st", "no", "vs", "etc", "e.g", "i.e", "jan", "feb", "mar", "apr", "jun",
    "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.k", "u.n", "inc", "ltd", "co",
}  # fmt: skip
_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+[\"“‘'(\[]?[A-Z0-9@])")


@dataclass(frozen=True)
class Sentence:
    """A sentence of the text and where it is."""

    start: int
    end: int
    text: str


def _ends_abbreviation(line: str, dot: int) -> bool:
    """True when the full stop at ``dot`` closes an abbreviation or an initial."""
    if line[dot] != ".":
        return False
    word = re.search(r"[\w.]*$", line[:dot]).group(0)
    return word.lower() in _ABBREVIATIONS or (len(word) == 1 and word.isupper())


def split_sentences(text: str) -> list[Sentence]:
    """The sentences of ``text`` in order, stripped of surrounding white space."""
    sentences: list[Sentence] = []
    for line_match in re.finditer(r"[^\n]+", text):
        line, offset = line_match.group(0), line_match.start()
        start = 0
        for end_match in _END.finditer(line):
            if _ends_abbreviation(line, end_match.start()):
                continue
            _add(sentences, line, offset, start, end_match.end())
            start = end_match.end()
        _add(sentences, line, offset, start, len(line))
    return sentences


def _add(sentences: list[Sentence], line: str, offset: int, start: int, end: int) -> None:
    piece = line[start:end]
    stripped = piece.strip()
    if stripped:
        begin = offset + start + (len(piece) - len(piece.lstrip()))
        sentences.append(Sentence(begin, begin + len(stripped), stripped))
