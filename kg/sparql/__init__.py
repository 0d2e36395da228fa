"""SPARQL as kg runs it: bundled query files and their headers, parameters, running a
query on a store, and rendering the answers (table, CSV, TSV, JSON, XML).

Imports only :mod:`kg.rdf`; imported by :mod:`kg.remote`, :mod:`kg.web` and the verbs.
"""
