"""kg: evidence-backed knowledge graphs of international security cooperation.

The public API mirrors the CLI: one function per verb.

>>> import kg
>>> sorted(n for n in kg.__all__ if not n[0].isupper())[:3]
['add', 'build', 'export']
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = [
    "KgError",
    "add",
    "build",
    "export",
    "list_queries",
    "query",
    "reason",
    "stats",
    "validate",
]

from kg.errors import KgError


def __getattr__(name: str):  # lazy: `import kg` must stay cheap for the CLI
    modules = {
        "add": "kg.add",
        "build": "kg.build",
        "export": "kg.export",
        "list_queries": "kg.queries",
        "query": "kg.query",
        "reason": "kg.reason",
        "stats": "kg.stats",
        "validate": "kg.validate",
    }
    if name in modules:
        import importlib

        return getattr(importlib.import_module(modules[name]), name)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
