"""Reading and writing RDF safely: formats, input limits, safety checks, namespaces,
where the bundled data lives.

The lowest layer above :mod:`kg.errors`: imports nothing else of kg; every other
part of kg may import it.
"""
