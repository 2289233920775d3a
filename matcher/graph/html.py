"""The capacity map as one self-contained HTML page (no scripts, no external files)."""

from __future__ import annotations

from html import escape

from matcher.graph.capacity import CapacityMap

STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#222;max-width:1200px}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0;font-size:.85rem}
th,td{border:1px solid #ddd;padding:.3rem .5rem;text-align:left}
th{background:#f4f4f4}
td.n{text-align:right;min-width:2.2rem}
.legend span{display:inline-block;padding:.1rem .5rem;margin-right:.3rem}
p.help{color:#555;font-size:.9rem;max-width:60rem}
"""


def _shade(value: int, top: int, hue: str) -> str:
    if value == 0 or top == 0:
        return ""
    alpha = 0.15 + 0.85 * value / top
    colour = {"offers": f"rgba(33,120,60,{alpha:.2f})", "needs": f"rgba(200,80,30,{alpha:.2f})"}[hue]
    text = "#fff" if alpha > 0.6 else "#222"
    return f' style="background:{colour};color:{text}"'


def _count_cell(kind: str, topic: str, region: str, value: int, top: int) -> str:
    """A heatmap cell; data attributes let a reader (or a test) find a count by topic and region."""
    return f"<td class='n {kind}' data-topic='{escape(topic)}' data-region='{escape(region)}'{_shade(value, top, kind)}>{value}</td>"


def render(capacity: CapacityMap, title: str = "Capacity map") -> str:
    regions = capacity.regions
    top_offer = max((v for row in capacity.topics for v in row.offers.values()), default=0)
    top_need = max((v for row in capacity.topics for v in row.needs.values()), default=0)
    out = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{escape(title)}</title><style>{STYLE}</style></head><body>"]
    t = capacity.totals
    out.append(f"<h1>{escape(title)}</h1>")
    out.append(
        f"<p class='help'>{t['members']} members ({t['north']} in the North: members in high-income countries, World Bank "
        f"classification, or declared North; {t['south']} in the South). {t['strength_links']} stated strengths and "
        f"{t['need_links']} stated "
        f"needs, by topic. Green cells count members who <b>offer</b> a topic, orange cells members who <b>need</b> it; "
        f"the darker the cell, the higher the count. A row with orange and little green is a gap the network cannot fill from within.</p>"
    )
    out.append("<h2>Heatmap: offers and needs by topic and region</h2>")
    out.append("<table id='heatmap'><tr><th rowspan='2'>topic</th>")
    out.append("".join(f"<th colspan='2'>{escape(r)}</th>" for r in regions) + "</tr><tr>")
    out.append("".join("<th>offer</th><th>need</th>" for _ in regions) + "</tr>")
    for row in capacity.topics:
        cells = [f"<td title='{escape(row.topic)}'>{escape(row.label)}</td>"]
        for region in regions:
            cells.append(_count_cell("offers", row.topic, region, row.offers[region], top_offer))
            cells.append(_count_cell("needs", row.topic, region, row.needs[region], top_need))
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")

    out.append("<h2>North and South (high-income countries, World Bank classification)</h2>")
    headers = ["topic", "North offers", "South offers", "North needs", "South needs", "strongest providers"]
    out.append("<table id='north-south'><tr>" + "".join(f"<th>{h}</th>" for h in headers) + "</tr>")
    for row in capacity.topics:
        providers = ", ".join(f"{escape(name)} ({weight})" for _, name, weight in row.strongest) or "—"
        out.append(
            f"<tr><td>{escape(row.label)}</td><td class='n'>{row.offers_north}</td><td class='n'>{row.offers_south}</td>"
            f"<td class='n'>{row.needs_north}</td><td class='n'>{row.needs_south}</td><td>{providers}</td></tr>"
        )
    out.append("</table>")

    out.append(f"<h2>Unmet needs ({len(capacity.unmet_needs)})</h2>")
    out.append(
        "<p class='help'>Needs that no member can meet: nobody offers the topic, or nobody who offers it shares a working language.</p>"
    )
    out.append("<table id='unmet'><tr><th>member</th><th>region</th><th>topic</th><th>why</th></tr>")
    for need in capacity.unmet_needs:
        out.append(
            f"<tr><td>{escape(need.name)}</td><td>{escape(need.region)}</td><td>{escape(need.topic)}</td><td>{escape(need.reason)}</td></tr>"
        )
    out.append("</table>")

    out.append("<h2>Brokers between regions and clusters</h2>")
    out.append("<p class='help'>Members on many short paths between others (partnerships and shared clusters): good introducers.</p>")
    out.append("<table id='brokers'><tr><th>member</th><th>region</th><th>betweenness</th><th>partners' regions</th><th>clusters</th></tr>")
    for broker in capacity.brokers:
        out.append(
            f"<tr><td>{escape(broker.name)}</td><td>{escape(broker.region)}</td><td class='n'>{broker.betweenness}</td>"
            f"<td>{escape(', '.join(broker.partner_regions))}</td><td>{escape(', '.join(broker.clusters))}</td></tr>"
        )
    out.append("</table></body></html>")
    return "\n".join(out)
