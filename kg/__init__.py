"""kg: evidence-backed knowledge graphs of international security cooperation.

The public API mirrors the CLI: one function per verb, each in a module of the
same name, imported only when first used so that ``import kg`` stays cheap.

>>> import kg
>>> import kg.validate  # importing the module does not hide the function
>>> callable(kg.validate), kg.query.__module__
(True, 'kg.query')
"""

from __future__ import annotations

import importlib
import sys
import types

__version__ = "0.1.0"

# verb -> module that defines it
_API = {
    "add": "kg.add",
    "build": "kg.build",
    "diagram": "kg.diagram",
    "draft": "kg.draft",
    "export": "kg.export",
    "list_queries": "kg.queries",
    "push": "kg.push",
    "query": "kg.query",
    "reason": "kg.reason",
    "serve": "kg.serve",
    "stats": "kg.stats",
    "validate": "kg.validate",
    "vocab": "kg.vocab",
}

__all__ = ["KgError", *sorted(_API)]

from kg.errors import KgError  # noqa: E402


class _Package(types.ModuleType):
    """The ``kg`` package. Python's import system sets ``kg.query`` to the *module*
    ``kg.query`` when it is first imported; the verb names must stay the functions."""

    def __setattr__(self, name: str, value: object) -> None:
        if name in _API and isinstance(value, types.ModuleType):
            return  # the module stays reachable as sys.modules["kg.query"]
        super().__setattr__(name, value)

    def __getattr__(self, name: str):
        if name not in _API:
            raise AttributeError(f"module 'kg' has no attribute {name!r}")
        function = getattr(importlib.import_module(_API[name]), name)
        super().__setattr__(name, function)
        return function


sys.modules[__name__].__class__ = _Package
