"""Dropped graphs freed at once, not by the garbage collector's next full pass.

A networkx graph keeps its views (``G.edges``, ``G.nodes``, ``G.adj``, ``G.degree``...) in cached
properties, and an edge view points back at its graph: a reference cycle. A dropped graph is then
not freed when its last reference goes but by the cyclic collector's next full pass, which walks
every live object while holding the interpreter. A service worker drops a snapshot's graphs on
every write it takes or catches up with; on the demo, those full passes took 22-53 ms every few
writes, each one a stall for every read in that worker (issue 21, item 2). Forgetting the views
when the graph's owner goes breaks the cycle, so reference counting frees the graph there and then.
"""

from __future__ import annotations

import weakref
from functools import cached_property

import networkx as nx


def forget_views(graph: nx.Graph) -> None:
    """Drop the graph's cached views (made again on next use: safe while others still read it)."""
    cached = [name for name in vars(graph) if isinstance(getattr(type(graph), name, None), cached_property)]
    for name in cached:
        graph.__dict__.pop(name, None)


def forget_views_with(owner: object, graph: nx.Graph) -> None:
    """Forget ``graph``'s views once ``owner`` is freed (``owner`` itself must hold no cycle)."""
    weakref.finalize(owner, forget_views, graph)
