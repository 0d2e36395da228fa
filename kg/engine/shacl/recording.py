"""Write ``ontology/shapes-sparql.json``: the parses :mod:`kg.engine.shacl.known` looks up.

``python -m kg.engine.shacl.recording`` after the bundled shapes change;
``tests/test_known_sparql.py`` fails while the file is stale. A module of its own: it
runs the validation code that reads the record, which must not import it back.
"""

from __future__ import annotations

import json
from pathlib import Path

from kg.engine.shacl import known
from kg.rdf.resources import data_dir


def record(ontology_dir: Path | None = None) -> str:
    """The record for the bundled shapes (or those of ``ontology_dir``), as JSON text."""
    from kg.engine.shacl.compile import compile_shapes
    from kg.engine.shacl.focus import reach
    from kg.engine.validation import _check_shapes, load_ontology, load_shapes, with_typing_shapes

    known._recording = {"tree_safe": set(), "reach": {}}
    known._known.cache_clear()
    try:
        shapes, name, _ = load_shapes(None, ontology_dir)
        _check_shapes(shapes, name, use_record=False)
        typed = with_typing_shapes(shapes, load_ontology(ontology_dir))
        reach(compile_shapes(typed, few_focus=True), use_record=False)
        seen = known._recording
        found = {"tree_safe": sorted(seen["tree_safe"]), "reach": seen["reach"]}
    finally:
        known._recording = None
        known._known.cache_clear()
    return json.dumps(found, indent=1, sort_keys=True) + "\n"


def main() -> None:
    """Write the record of the bundled shapes."""
    path = data_dir("ontology") / known.FILE_NAME
    path.write_text(record(), encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
