"""``kg query``: run a bundled query or a ``.rq`` file on the built graph."""

from __future__ import annotations

from pathlib import Path

from kg.rdf.limits import run_with_timeout
from kg.rdf.safety import check_query
from kg.sparql.bundled import resolve_query
from kg.sparql.run import QueryResult, bind_params, run_on_store
from kg.store.versions import open_store

__all__ = ["QueryResult", "query"]


def query(
    name_or_file: str,
    params: dict[str, str] | None = None,
    *,
    store: Path | str | None = None,
    asserted: bool = False,
    timeout: float | None = None,
) -> QueryResult:
    """Run a bundled query (by name) or a ``.rq`` file on the built graph.

    >>> result = query("summit-topics", store="build")  # doctest: +SKIP
    >>> result.variables  # doctest: +SKIP
    ['topic', 'topicLabel']
    """
    from kg.rdf.resources import default_store

    spec = resolve_query(name_or_file)
    bindings = bind_params(spec, params or {})
    where = str(spec.path) if spec.path else spec.name
    check_query(spec.text, where)
    oxstore = open_store(Path(store) if store else default_store())
    return run_with_timeout(
        lambda: run_on_store(oxstore, spec, bindings, asserted=asserted), timeout, "the query"
    )
