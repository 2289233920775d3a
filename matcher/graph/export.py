"""Export the graph for Gephi and similar tools: GraphML and node-link JSON."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx

from matcher.graph.build import ExpertiseGraph


def _plain(graph: nx.DiGraph) -> nx.DiGraph:
    """GraphML takes only str, int, float and bool attributes; drop None and stringify the rest."""
    plain = nx.DiGraph()
    for n, data in graph.nodes(data=True):
        plain.add_node(n, **{k: v if isinstance(v, str | int | float | bool) else str(v) for k, v in data.items() if v is not None})
    for u, v, data in graph.edges(data=True):
        plain.add_edge(u, v, **{k: w if isinstance(w, str | int | float | bool) else str(w) for k, w in data.items() if w is not None})
    return plain


def write_graphml(expertise: ExpertiseGraph, path: Path) -> None:
    nx.write_graphml(_plain(expertise.graph), path)


def write_node_link(expertise: ExpertiseGraph, path: Path) -> None:
    data = nx.node_link_data(_plain(expertise.graph), edges="edges")
    path.write_text(json.dumps(data, ensure_ascii=False))
