"""The graph on disk and in memory: versioned Oxigraph stores swapped atomically,
in-memory stores for validation, and which quads an export or a push takes.

Imports only :mod:`kg.rdf` (and :mod:`kg.errors`); imported by the engines, the web
app and the verbs.
"""
