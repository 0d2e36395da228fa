"""What the bundled shapes' SPARQL parses to, recorded once instead of parsed by every run.

Two checks parse each SPARQL text of the shapes with rdflib's pyparsing grammar: the
safety check (:func:`kg.rdf.safety.check_query_tree`: no ``SERVICE``, ``FROM``,
``LOAD``) and the reach of a constraint (:func:`kg.engine.shacl.focus.reach`: how far
from a focus node ``kg add`` must look). For the bundled shapes that is about 2 s of
every ``kg validate``, ``kg build`` and ``kg add``, whatever the size of the data. Both
answers are pure functions of the text, so ``ontology/shapes-sparql.json`` records
them under the SHA-256 of the exact text (and, for the reach, of the path's length and
the prefixes): a text found there is not parsed again; any other text, a user's shapes
or an edited bundled shape, is parsed as before. ``python -m kg.engine.shacl.recording``
writes the file again; ``tests/test_known_sparql.py`` fails when it is stale.

>>> key("tree", "ASK { ?s ?p ?o }") == key("tree", "ASK { ?s ?p ?o }")
True
>>> tree_checked("ASK { SERVICE <http://x/> { ?s ?p ?o } }")
False
"""

from __future__ import annotations

import functools
import hashlib
import json
import math

from kg.rdf.resources import data_dir

FILE_NAME = "shapes-sparql.json"
# What a recording run (kg.engine.shacl.recording) has seen; None otherwise.
_recording: dict | None = None


def key(*parts: object) -> str:
    """The record's key for ``parts`` (the kind of answer, then what it depends on)."""
    return hashlib.sha256("\x00".join(map(str, parts)).encode("utf-8")).hexdigest()


@functools.cache
def _known() -> dict:
    try:
        text = (data_dir("ontology") / FILE_NAME).read_text(encoding="utf-8")
        known = json.loads(text)
    except (OSError, ValueError):  # no record (or a damaged one): parse everything
        return {"tree_safe": set(), "reach": {}}
    return {"tree_safe": set(known.get("tree_safe", [])), "reach": known.get("reach", {})}


def tree_checked(text: str) -> bool:
    """Whether ``text`` is recorded as passing the safety check's parse."""
    return key("tree", text) in _known()["tree_safe"]


def note_tree_checked(text: str) -> None:
    """While recording, note that ``text`` passed the safety check's parse."""
    if _recording is not None:
        _recording["tree_safe"].add(key("tree", text))


def recorded_reach(*parts: object) -> float | None:
    """The recorded reach for ``parts``, or None."""
    value = _known()["reach"].get(key("reach", *parts))
    return None if value is None else float(value)


def note_reach(value: float, *parts: object) -> None:
    """While recording, note the reach computed for ``parts``."""
    if _recording is not None:
        _recording["reach"][key("reach", *parts)] = "inf" if math.isinf(value) else value
