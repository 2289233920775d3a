"""``peermatch graph ...``: the capacity map and graph exports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import DataDir, JsonFlag, console, emit, fail, workspace_for
from matcher.errors import PeermatchError

graph_app = typer.Typer(help="The member-expertise graph: capacity map, exports.", no_args_is_help=True)


@graph_app.command()
def capacity(
    html: Annotated[Path | None, typer.Option(help="Write the self-contained HTML report here.")] = Path("capacity.html"),
    out: Annotated[Path | None, typer.Option(help="Write the capacity map as JSON here.")] = None,
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Who offers and who needs each topic, by region; North/South; unmet needs; brokers."""
    from matcher.graph.html import render

    try:
        result = workspace_for(data_dir).snapshot().recommender.capacity()
    except PeermatchError as error:
        fail(error)
    if html:
        html.write_text(render(result), encoding="utf-8")
    if out:
        out.write_text(result.model_dump_json(indent=2), encoding="utf-8")
    emit(
        result.model_dump(),
        as_json,
        lambda p: console.print(
            f"{len(p['topics'])} topics, {p['totals']['unmet_needs']} unmet needs" + (f"; report: {html}" if html else "")
        ),
    )


@graph_app.command()
def export(
    graphml: Annotated[Path | None, typer.Option(help="GraphML file (Gephi, yEd, Cytoscape).")] = None,
    node_link: Annotated[Path | None, typer.Option("--json", help="Node-link JSON file (d3, networkx).")] = None,
    data_dir: DataDir = None,
) -> None:
    """Export the member-expertise graph."""
    from matcher.graph.export import write_graphml, write_node_link

    if not graphml and not node_link:
        console.print("[red]error:[/red] give --graphml FILE and/or --json FILE")
        raise typer.Exit(code=2)
    try:
        graph = workspace_for(data_dir).snapshot().graph
    except PeermatchError as error:
        fail(error)
    if graphml:
        write_graphml(graph, graphml)
    if node_link:
        write_node_link(graph, node_link)
    console.print(f"{graph.graph.number_of_nodes()} nodes, {graph.graph.number_of_edges()} edges written")
