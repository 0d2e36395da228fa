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


def test_only_a_recorded_text_skips_the_parse(monkeypatch):
    """The bundled shapes' texts are not parsed again; a text that differs (a user's, or
    an edited one) goes through the grammar's check as before, and is refused there."""
    import kg.rdf.safety

    parsed = []
    real = kg.rdf.safety.check_query_tree

    def recording(text, where):
        parsed.append(text)
        return real(text, where)

    monkeypatch.setattr(kg.rdf.safety, "check_query_tree", recording)
    bundled = Graph().parse(data_dir("ontology") / "shapes.ttl")
    _check_shapes(bundled, "shapes.ttl")
    assert parsed == []
    edited = Graph()
    for s_, p_, o_ in bundled:
        if str(p_).endswith("#select"):
            o_ = type(o_)(str(o_) + " # edited")
        edited.add((s_, p_, o_))
    _check_shapes(edited, "shapes.ttl")
    assert len(parsed) == len(_selects(bundled))
    # a shape of the user's own is parsed too
    shapes = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <http://e/s> a sh:NodeShape ; sh:sparql [ sh:select
            "SELECT $this WHERE { $this ?p ?o }" ] .
        """,
        format="turtle",
    )
    _check_shapes(shapes, "mine.ttl")
    assert parsed[-1] == "SELECT $this WHERE { $this ?p ?o }"


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
