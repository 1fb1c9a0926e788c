"""Breadth-first walks over a store's edges, independent of Cypher and SPARQL: the expected
answers of the path and neighbourhood queries."""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable

ADJACENCY_SQL = "SELECT paper_id, target FROM edges UNION SELECT source, target FROM links"


def adjacency(pairs: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    """Undirected adjacency of ``(a, b)`` pairs (e.g. the rows of :data:`ADJACENCY_SQL`)."""
    adj: dict[str, set[str]] = defaultdict(set)
    for a, b in pairs:
        adj[a].add(b)
        adj[b].add(a)
    return adj


def distances(adj: dict[str, set[str]], source: str) -> dict[str, int]:
    """Hops from ``source`` to every node it reaches."""
    dist = {source: 0}
    queue = deque([source])
    while queue:
        x = queue.popleft()
        for y in adj[x]:
            if y not in dist:
                dist[y] = dist[x] + 1
                queue.append(y)
    return dist


def shortest_paths(adj: dict[str, set[str]], source: str, target: str) -> list[list[str]]:
    """Every shortest path from ``source`` to ``target``."""
    dist = distances(adj, source)
    if target not in dist:
        return []

    def back(node: str) -> list[list[str]]:
        if node == source:
            return [[source]]
        return [p + [node] for prev in adj[node] if dist.get(prev) == dist[node] - 1 for p in back(prev)]
    return back(target)
