"""Talking to other SPARQL stores: HTTP with one deadline per request and credentials
kept to their origin, and the SPARQL protocol client.

Imports :mod:`kg.rdf` and :mod:`kg.sparql`; imported by the verbs (push, query).
"""
