"""Facts files: reading an article and its TOML facts into RDF, every value with
the passage that states or implies it; and drafting one from an article (its
sentences, dateline, dates, the names it uses) for ``kg draft``.

Imports only :mod:`kg.rdf`; imported by the verbs.
"""
