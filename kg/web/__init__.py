"""The whole ``kg serve`` app: routes and the SPARQL endpoint (:mod:`kg.web.app`),
content negotiation, what the pages show (views) and their HTML (pages), the static
assets and the bundled diagram queries, served offline.

Imports :mod:`kg.rdf`, :mod:`kg.store` and :mod:`kg.sparql`; imported by the verbs.
"""
