"""Facts files: reading an article and its TOML facts into RDF, every value with
the passage that states or implies it.

Imports only :mod:`kg.rdf`; imported by the verbs.
"""
