"""Where the bundled ontology, shapes, seeds and queries live.

In a source checkout they are the top-level ``ontology/``, ``seeds/`` and
``queries/`` folders; in an installed wheel they ship as ``kg/_data/*``.

>>> data_dir("queries").name
'queries'
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent  # kg/

STORE_ENV = "KG_STORE"
DEFAULT_STORE = "build"


def data_dir(name: str) -> Path:
    """The bundled folder ``name`` (``ontology``, ``seeds`` or ``queries``)."""
    installed = _PACKAGE / "_data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name


def ontology_file(ontology_dir: Path | None = None) -> Path:
    """The ontology (OWL in Turtle)."""
    return (ontology_dir or data_dir("ontology")) / "kg.ttl"


def shapes_file(ontology_dir: Path | None = None) -> Path:
    """The SHACL shapes that ship with the ontology."""
    return (ontology_dir or data_dir("ontology")) / "shapes.ttl"


def default_store() -> Path:
    """The store location: ``$KG_STORE`` or ``./build``."""
    return Path(os.environ.get(STORE_ENV) or DEFAULT_STORE)
