"""kg/engine/shacl/known.py: the recorded parses of the bundled shapes' SPARQL are current,
and a text that is not recorded is still parsed and checked."""

from __future__ import annotations

import pytest
from rdflib import Graph

from kg.engine.shacl import known
from kg.engine.shacl.recording import record
from kg.engine.validation import _check_shapes
from kg.errors import UnsafeOperationError
from kg.rdf.resources import data_dir


def test_the_record_of_the_bundled_shapes_is_current():
    """python -m kg.engine.shacl.recording writes it again after the shapes change."""
    shipped = (data_dir("ontology") / known.FILE_NAME).read_text(encoding="utf-8")
    assert shipped == record()
    assert known.tree_checked(
        next(iter(_selects(Graph().parse(data_dir("ontology") / "shapes.ttl"))))
    )


def _selects(graph: Graph) -> list[str]:
    from rdflib import URIRef

    return [str(o) for o in graph.objects(None, URIRef("http://www.w3.org/ns/shacl#select"))]


def test_a_text_not_recorded_is_still_checked():
    shapes = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <http://e/s> a sh:NodeShape ; sh:sparql [ sh:select
            "SELECT $this WHERE { SERVICE <http://x/> { $this ?p ?o } }" ] .
        """,
        format="turtle",
    )
    with pytest.raises(UnsafeOperationError, match="SERVICE is refused"):
        _check_shapes(shapes, "mine.ttl")
