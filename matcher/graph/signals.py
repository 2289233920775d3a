"""Graph signals for recommendations: personalised PageRank from a member's need topics,
introductions through shared partners or clusters, and bridging members."""

from __future__ import annotations

import networkx as nx
import numpy as np
import scipy.sparse as sp

from matcher.graph.acyclic import forget_views, forget_views_with
from matcher.graph.build import ExpertiseGraph, node

# Edges a walk from "what I need" may follow towards "who can help": strengths, documents,
# partnerships and clusters; not other members' needs.
HELP_EDGES = {"has_strength", "authored", "about", "partner_of", "member_of"}


class GraphSignals:
    """Views of one graph state, computed once and reused across requests."""

    def __init__(self, expertise: ExpertiseGraph, earlier: GraphSignals | None = None) -> None:
        """``earlier``: the last snapshot's signals. When this graph's help view is the same (same
        nodes in the same order, same edges and weights: most writes change a text, not what the
        walk follows), its walks and bridges are this graph's too, to the bit, and are taken over
        instead of made again: a refresh after each of a client's back-to-back writes otherwise
        walked from each of the demo's 137 need-topic sets again, about 140 ms a write and worker."""
        self.expertise = expertise
        graph = expertise.graph
        self.help_view = nx.Graph()
        forget_views_with(self, self.help_view)
        self.help_view.add_nodes_from(graph.nodes)
        for u, v, d in graph.edges(data=True):
            if d.get("kind") in HELP_EDGES:
                weight = float(d.get("weight", 1.0))
                if not self.help_view.has_edge(u, v) or self.help_view[u][v]["weight"] < weight:
                    self.help_view.add_edge(u, v, weight=weight)
        self._bridges: dict[str, float] | None = None
        # The walk's transition matrix, built once: nx.pagerank would rebuild it on every call,
        # which costs half a second on a 10,000-member network.
        self._nodes = list(self.help_view.nodes)
        self._row = {n: i for i, n in enumerate(self._nodes)}
        adjacency = nx.to_scipy_sparse_array(self.help_view, nodelist=self._nodes, weight="weight", format="csr")
        out_weight = np.asarray(adjacency.sum(axis=1)).ravel()
        self._dangling = np.flatnonzero(out_weight == 0)  # rows whose walk restarts (their mass returns to the start nodes)
        scale = np.divide(1.0, out_weight, out=np.zeros_like(out_weight), where=out_weight > 0)
        self._transition_t = (sp.diags(scale) @ adjacency).T.tocsr()
        self._member_rows = [(i, n.split(":", 1)[1]) for i, n in enumerate(self._nodes) if n.startswith("member:")]
        self._pagerank_cache: dict[tuple[tuple[str, float], ...], dict[str, float]] = {}
        self._adjacency = adjacency
        if earlier is not None and earlier._nodes == self._nodes and _same(earlier._adjacency, adjacency):
            self._pagerank_cache = dict(earlier._pagerank_cache)  # a copy: each snapshot's own evicts its own
            self._bridges = earlier._bridges  # member-member and member-cluster edges are the same help edges

    def pagerank_from_needs(self, need_topics: dict[str, float], alpha: float = 0.85) -> dict[str, float]:
        """Member id -> personalised PageRank mass, normalised so the best candidate scores 1.

        Cached by the weighted topic set: many members share the same needs, and a walk over
        a large network costs tens of milliseconds.
        """
        key = tuple(sorted(need_topics.items()))
        if key not in self._pagerank_cache:
            if len(self._pagerank_cache) >= 4096:
                self._pagerank_cache.pop(next(iter(self._pagerank_cache)))
            self._pagerank_cache[key] = self._pagerank(need_topics, alpha)
        return self._pagerank_cache[key]

    def _pagerank(self, need_topics: dict[str, float], alpha: float, tol: float = 1e-10, max_iter: int = 200) -> dict[str, float]:
        """Power iteration, as networkx's pagerank (dangling mass returns to the start nodes)."""
        start = np.zeros(len(self._nodes))
        for topic, weight in need_topics.items():
            row = self._row.get(node("topic", topic))
            if row is not None:
                start[row] += weight
        if start.sum() <= 0:
            return {}
        start /= start.sum()
        ranks = start.copy()
        restart = (1 - alpha) * start  # the same every step: made once (a walk takes about a hundred steps)
        for _ in range(max_iter):
            previous = ranks
            ranks = alpha * (self._transition_t @ ranks + ranks[self._dangling].sum() * start) + restart
            if np.abs(ranks - previous).sum() < tol * len(ranks):
                break
        members = {member: float(ranks[i]) for i, member in self._member_rows}
        best = max(members.values(), default=0.0)
        return {m: r / best for m, r in members.items()} if best > 0 else {}

    @property
    def walks_kept(self) -> int:
        """How many walks this graph state holds already (taken over from the last one, or made)."""
        return len(self._pagerank_cache)

    def introductions(self, member_id: str, candidate_id: str) -> list[str]:
        """Two-hop paths: partners both share, clusters both belong to."""
        graph = self.expertise.graph
        a, b = node("member", member_id), node("member", candidate_id)
        if a not in graph or b not in graph:
            return []
        reasons = []
        for middle in sorted(set(graph.successors(a)) & set(graph.successors(b))):
            kind_a = graph[a][middle].get("kind")
            if kind_a == "partner_of" and graph[b][middle].get("kind") == "partner_of":
                reasons.append(f"both partners of {graph.nodes[middle].get('label', middle)}")
            elif kind_a == "member_of":
                reasons.append(f"both in cluster '{graph.nodes[middle].get('label', middle)}'")
        return reasons

    def bridges(self, k: int = 200) -> dict[str, float]:
        """Member id -> betweenness in the member network (partners and shared clusters), sampled
        with ``k`` pivots on large graphs; high values connect otherwise distant parts of the network."""
        if self._bridges is None:
            graph = self.expertise.graph
            projection = nx.Graph()
            projection.add_nodes_from(n for n, t in graph.nodes(data="type") if t in {"member", "cluster"})
            for u, v, d in graph.edges(data=True):
                if d.get("kind") in {"partner_of", "member_of"}:
                    projection.add_edge(u, v)
            sample = None if projection.number_of_nodes() <= k else k
            centrality = nx.betweenness_centrality(projection, k=sample, seed=0)
            forget_views(projection)
            self._bridges = {n.split(":", 1)[1]: c for n, c in centrality.items() if n.startswith("member:")}
        return self._bridges


def _same(a: sp.csr_array, b: sp.csr_array) -> bool:
    """Whether two transition adjacencies are equal entry for entry (canonical CSR from networkx)."""
    return (
        a.shape == b.shape
        and np.array_equal(a.indptr, b.indptr)
        and np.array_equal(a.indices, b.indices)
        and np.array_equal(a.data, b.data)
    )
