"""SHACL validation compiled to SPARQL: each constraint of each shape becomes one query
that Oxigraph evaluates over the whole data set, finding all its violations at once
(:mod:`kg.engine.shacl.compile`); :mod:`kg.engine.shacl.report` turns the answers into
the standard validation report. Shapes the compiler does not handle are left to pySHACL."""
