"""Where an article names things: known entities by their names, X handles, and runs of
capitalised words that name nothing known yet.

Names are compared after folding: dashes (‐ ‑ ‒ – — ―) count as "-", curly
apostrophes and quotes as straight ones, and case is ignored, except for
names written all in capitals ("EU", "ANI"), which must match in capitals
so that an acronym does not match an ordinary word. A match must start and
end at word boundaries. Where names overlap, the leftmost longest wins; a
proper name of *another* node inside it is a mention too ("European
Commission" in "European Commission Vice President"); a shorter name of the
same node, or a name the graph writes in lower case, is not.

>>> names = [Name("Kaja Kallas", "kaja-kallas", "label"), Name("EU", "european-union", "altLabel")]
>>> [(m.quote, m.nodes) for m in find_mentions("EU chief kaja kallas; the EUROPE of the eu", names)]
[('EU', ('european-union',)), ('kaja kallas', ('kaja-kallas',))]
>>> occurrence("EU and EU", "EU", 7)
2
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

_FOLD = str.maketrans({
    "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-",
    "’": "'", "‘": "'", "‛": "'", "“": '"', "”": '"', "„": '"',
    "\u00a0": " ", "\n": " ", "\t": " ",
})  # fmt: skip
_TOKEN = re.compile(r"@?\w+")
HANDLE = re.compile(r"(?<![\w@])@\w{1,15}\b")
_INDEFINITE = re.compile(r"(?<!\w)an?\s+$")
_URL = re.compile(r"(?:https?://|www\.|pic\.twitter\.com/)\S+")
# Words that start a sentence or join names but name nothing on their own.
_STOPWORDS = {
    "a", "an", "the", "as", "at", "in", "on", "of", "to", "for", "by", "with", "from", "into",
    "after", "before", "during", "under", "over", "through", "while", "when", "where", "which",
    "who", "whom", "whose", "what", "why", "how", "if", "but", "and", "or", "nor", "so", "yet",
    "it", "its", "he", "she", "they", "we", "you", "i", "his", "her", "their", "our", "your",
    "this", "that", "these", "those", "there", "here", "both", "all", "each", "every", "some",
    "such", "no", "not", "also", "then", "thus", "earlier", "later", "meanwhile", "however",
    "according", "following", "among", "amid", "against", "between", "about", "since",
    "until", "today", "yesterday", "tomorrow", "monday", "tuesday", "wednesday", "thursday",
    "friday", "saturday", "sunday", "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december", "mr", "mrs", "ms", "dr",
    "said", "says", "is", "are", "was", "were", "be", "will", "would", "can", "could",
    "should", "must", "has", "have", "had", "do", "does", "did", "one", "two", "three",
}  # fmt: skip
# Lower-case words that may join capitalised words into one name.
_JOINERS = {"of", "for", "the", "de", "von", "der", "van", "den", "du", "la", "le", "al", "bin"}


@dataclass(frozen=True)
class Name:
    """One name of a known node: its label, an alternative label, or an X handle."""

    text: str
    node: str
    kind: str  # "label", "altLabel", "prefLabel" or "xHandle"


@dataclass(frozen=True)
class Mention:
    """A passage of the text that names one or more known nodes (more: it is ambiguous)."""

    start: int
    end: int
    quote: str
    nodes: tuple[str, ...]
    names: tuple[Name, ...]


@dataclass(frozen=True)
class Candidate:
    """Words that look like a name but match nothing known: where they first occur, how often."""

    start: int
    end: int
    quote: str
    count: int
    handle: bool
    spans: tuple[tuple[int, int], ...]  # every occurrence


def fold(text: str, keep_case: bool = False) -> str:
    """``text`` with dashes, quotes and white space folded, lower-cased unless ``keep_case``.

    Every character maps to exactly one, so offsets in the folded text are offsets
    in the original.
    """
    folded = text.translate(_FOLD)
    if keep_case:
        return folded
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in folded)


def _is_acronym(name: str) -> bool:
    letters = [c for c in name if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _boundary(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or before in "_@") and not (after.isalnum() or after == "_")


def find_mentions(
    text: str, names: list[Name], generic: list[tuple[int, int]] | None = None
) -> list[Mention]:
    """Every passage naming a known node, leftmost longest first, in text order.

    A name after "a" or "an" ("a security and defence partnership") means some
    such thing, not the known one: it is left out, and its span added to ``generic``.
    """
    lower, cased = fold(text), fold(text, keep_case=True)
    # names indexed by their first word, so the text is read once whatever the graph's size
    by_first: dict[str, dict[tuple[str, bool], list[Name]]] = defaultdict(lambda: defaultdict(list))
    for name in names:
        stripped = name.text.strip()
        if len(stripped) < 2:
            continue
        acronym = _is_acronym(stripped)
        key = fold(stripped, keep_case=acronym)
        first = _TOKEN.match(key)
        if first is None:
            continue
        by_first[first.group(0).lower()][(key, acronym)].append(name)
    raw: list[tuple[int, int, list[Name]]] = []
    for token in _TOKEN.finditer(lower):
        for (key, acronym), group in by_first.get(token.group(0), {}).items():
            start, end = token.start(), token.start() + len(key)
            if (cased if acronym else lower)[start:end] != key or not _boundary(text, start, end):
                continue
            if _INDEFINITE.search(lower[max(0, start - 8) : start]):
                if generic is not None:
                    generic.append((start, end))
                continue
            raw.append((start, end, group))
    spans: dict[tuple[int, int], list[Name]] = defaultdict(list)
    for start, end, group in raw:
        spans[(start, end)].extend(group)
    mentions: list[Mention] = []
    outer: tuple[int, int, set[str]] | None = None  # the longest mention around this point
    for start, end in sorted(spans, key=lambda s: (s[0], -s[1])):
        group = sorted(set(spans[(start, end)]), key=lambda n: (n.node, n.kind, n.text))
        nodes = tuple(sorted({n.node for n in group}))
        if outer is not None and start < outer[1]:
            if end > outer[1]:
                continue  # across the end of a longer mention: the longer one wins
            # inside a longer mention: a name of another node still names it
            # ("European Commission" in "European Commission Vice President")
            # a name the graph writes in lower case ("security and defence partnership")
            # describes; inside another name it is part of that name
            group = [n for n in group if n.node not in outer[2] and n.text.strip()[:1].isupper()]
            nodes = tuple(sorted({n.node for n in group}))
            if not nodes:
                continue
            mentions.append(Mention(start, end, text[start:end], nodes, tuple(group)))
            continue
        mentions.append(Mention(start, end, text[start:end], nodes, tuple(group)))
        outer = (start, end, set(nodes))
    return mentions


def occurrence(text: str, quote: str, start: int) -> int | None:
    """Which occurrence of ``quote`` in ``text`` starts at ``start`` (1-based, counted as the
    facts loader counts), or None when ``quote`` occurs only once."""
    starts = []
    position = text.find(quote)
    while position != -1:
        starts.append(position)
        position = text.find(quote, position + 1)
    if len(starts) <= 1:
        return None
    return starts.index(start) + 1


def handles(text: str) -> list[tuple[int, int]]:
    """Spans of the X handles (``@name``) in ``text``."""
    return [(m.start(), m.end()) for m in HANDLE.finditer(text)]


def candidates(text: str, taken: list[tuple[int, int]]) -> list[Candidate]:
    """X handles and runs of capitalised words outside the ``taken`` spans, first occurrence
    of each with how often it occurs (compared folded), in text order."""
    taken = [*taken, *((m.start(), m.end()) for m in _URL.finditer(text))]
    lowered_words = {w.lower() for w in re.findall(r"\w+", text) if w.islower()}

    mask = bytearray(len(text))  # 1 where a taken span lies: one look-up per word
    for start, end in taken:
        mask[start:end] = b"\x01" * (end - start)

    def free(start: int, end: int) -> bool:
        return mask.find(1, start, end) == -1

    found: dict[str, list[tuple[int, int, bool]]] = {}
    for start, end in handles(text):
        if free(start, end):
            found.setdefault(fold(text[start:end]), []).append((start, end, True))
    words = [m for m in re.finditer(r"@?\w+(?:[-‐‑–]\w+)*", text)]
    run: list[re.Match] = []

    def flush() -> None:
        while run and (run[-1].group(0).lower() in _JOINERS or _skip(run[-1].group(0))):
            run.pop()
        while run and (_skip(run[0].group(0)) or run[0].group(0).lower() in _JOINERS):
            run.pop(0)
        if (
            len(run) == 1
            and run[0].group(0).lower() in lowered_words
            and _starts_sentence(text, run[0].start())
        ):
            run.clear()  # an ordinary word that starts a sentence
        if run:
            start, end = run[0].start(), run[-1].end()
            found.setdefault(fold(text[start:end]), []).append((start, end, False))
        run.clear()

    for word in words:
        value = word.group(0)
        gap = text[run[-1].end() : word.start()] if run else " "
        joins = gap == " "
        capital = value[0].isupper() and not value.startswith("@")
        usable = free(word.start(), word.end())
        if usable and joins and (capital or (run and value in _JOINERS)):
            run.append(word)
        elif usable and capital:
            flush()
            run.append(word)
        else:
            flush()
    flush()
    # a surname alone ("Borrell") is the same candidate as the full name before it
    for key in [k for k in found if " " not in k and not k.startswith("@")]:
        fuller = [k for k in found if k.endswith(" " + key) and found[k][0][0] < found[key][0][0]]
        if fuller:
            found[fuller[0]].extend(found.pop(key))
    result = []
    for spans in found.values():
        start, end, handle = spans[0]
        pairs = tuple((s, e) for s, e, _handle in spans)
        result.append(Candidate(start, end, text[start:end], len(spans), handle, pairs))
    return sorted(result, key=lambda c: c.start)


def _starts_sentence(text: str, start: int) -> bool:
    """True when the word at ``start`` opens a sentence (after any opening quotes)."""
    j = start
    while j > 0 and text[j - 1] in "\"“‘'([":
        j -= 1
    k = j
    while k > 0 and text[k - 1] in " \t\r\n":
        k -= 1
    return k == 0 or text[k - 1] == "\n" or "\n" in text[k:j] or (text[k - 1] in ".!?…" and k < j)


def _skip(word: str) -> bool:
    """True for a word that names nothing on its own: a stop word, a number, one letter."""
    return word.lower() in _STOPWORDS or word.isdigit() or len(word) < 2
