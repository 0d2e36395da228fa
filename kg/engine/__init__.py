"""The validation and reasoning engines: SHACL validation (pySHACL over Oxigraph),
the fast OWL 2 RL closure with owlrl as fallback, and their caches.

Imports :mod:`kg.rdf` and :mod:`kg.store`; imported only by the verbs.
"""
