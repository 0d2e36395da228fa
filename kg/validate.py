"""``kg validate``: check data files, or the built graph, against the shapes."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from kg.engine.validation import (
    SEVERITIES,
    ValidationReport,
    ill_typed_warnings,
    load_ontology,
    load_shapes,
    rdflib_graph_of,
    validate_graph,
)
from kg.errors import UsageError
from kg.rdf.limits import with_time_limit

__all__ = ["ValidationReport", "validate"]


@with_time_limit
def validate(
    files: Iterable[str | Path] = (),
    *,
    store: Path | str | None = None,
    shapes: Path | str | None = None,
    ontology: Path | str | None = None,
    input_format: str | None = None,
    fail_on: str = "violation",
    timeout: float | None = None,
    alone: bool = False,
) -> ValidationReport:
    """Validate data files (or, with none, the built graph) against the shapes.

    Files are validated together with the built graph when a store exists (as
    ``kg add`` does), so references to nodes already in the graph resolve;
    ``alone=True`` validates the files by themselves. ``report.context`` says which.

    >>> report = validate(["tests/fixtures/valid.ttl"])  # doctest: +SKIP
    >>> report.conforms  # doctest: +SKIP
    True
    """
    from kg.rdf.io import read_pipes, to_rdflib_graph
    from kg.rdf.limits import run_with_timeout
    from kg.rdf.resources import default_store
    from kg.store.memory import RewriteCheck, asserted_from_store, load_file, load_files
    from kg.store.versions import current_version

    if fail_on not in SEVERITIES:
        raise UsageError(f"--fail-on must be one of {', '.join(SEVERITIES)}, not {fail_on!r}")
    files = list(files)
    if alone and not files:
        raise UsageError("--alone validates files by themselves: name the files to validate")
    ontology_dir = Path(ontology) if ontology else None
    shapes_graph, shapes_name, user_shapes = load_shapes(shapes, ontology_dir)
    ontology_graph = load_ontology(ontology_dir)
    suspects: list = []
    store_root = Path(store) if store else default_store()
    context = ""
    if files:
        sources = read_pipes(files)  # their bytes come once; they may be read twice
        with_store = not alone and current_version(store_root) is not None
        names = ", ".join(str(f) for f in files)
        if with_store:
            data = asserted_from_store(store_root)
            rewritten = RewriteCheck()
            for file in files:
                found = load_file(data, file, input_format, rewritten, data=sources.get(str(file)))
                suspects.append((str(file), found))
            context = (
                f"validated {names} together with the graph in {store_root}/"
                " (--alone: the files by themselves)"
            )
            if rewritten.found:  # validated where literals stay as written (see RewriteCheck)
                data.clear()
                data = to_rdflib_graph(asserted_from_store(store_root))
                data = rdflib_graph_of(files, input_format, data, sources)
        else:
            data, suspects, rewritten = load_files(files, input_format, sources)
            if rewritten:  # validated where literals stay as written (see RewriteCheck)
                data.clear()
                data = rdflib_graph_of(files, input_format, sources=sources)
    else:
        data = asserted_from_store(store_root)
    report = run_with_timeout(
        lambda: validate_graph(
            data,
            shapes_graph,
            ontology_graph,
            fail_on=fail_on,
            meta_shacl=user_shapes,
            shapes_name=shapes_name,
        ),
        timeout,
        "validation",
    )
    report.warnings = ill_typed_warnings(suspects, report.results)
    report.context = context
    return report
