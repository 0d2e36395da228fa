"""``kg queries``: the bundled questions the graph answers.

>>> [spec.name for spec in list_queries()][:2]
['cooperation-areas', 'eu-partnerships']
"""

from __future__ import annotations

from kg.sparql.bundled import QuerySpec, list_queries

__all__ = ["QuerySpec", "list_queries"]
