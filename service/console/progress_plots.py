"""The progress page's plots (matplotlib, drawn off-screen as PNG), labelled in the reader's language.

Where a person would rather look than read: proposals by status per group (stacked bars), and the
days from proposal to an active partnership per group (median, with the longest as a tick).
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # no display on a server; set before pyplot is imported
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from matcher.progress import ProgressReport  # noqa: E402

# One colour per status, readable by colour-blind readers (Okabe-Ito), in the order of a proposal's life.
COLOURS = {
    "proposed": "#999999",
    "approved": "#56B4E9",
    "active": "#009E73",
    "closed": "#0072B2",
    "declined": "#E69F00",
    "rejected": "#D55E00",
}
ORDER = ("proposed", "approved", "active", "closed", "declined", "rejected")  # every status of matcher.partnerships.model.STATUSES
MAX_GROUPS = 12  # more bars than this no longer read as a picture: the table below has them all


def _png(figure: plt.Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def status_plot(report: ProgressReport, labels: dict[str, str], group_label: dict[str, str]) -> bytes:
    """Stacked horizontal bars: each group's proposals by status. ``labels``: the texts in the
    reader's language (title, axis, each status); ``group_label``: a group's name as shown."""
    groups = report.groups[:MAX_GROUPS][::-1]  # biggest at the top
    figure, axes = plt.subplots(figsize=(6.2, 0.45 * max(len(groups), 2) + 1.4))
    left = [0] * len(groups)
    names = [group_label.get(g.group, g.group) for g in groups]
    for status in ORDER:
        counts = [g.by_status[status] for g in groups]
        axes.barh(names, counts, left=left, color=COLOURS[status], label=labels[status])
        left = [a + b for a, b in zip(left, counts, strict=True)]
    axes.set_xlabel(labels["proposals"])
    axes.set_title(labels["status_title"])
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)  # beside the bars, never over them
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))  # counts of proposals: no half ticks
    return _png(figure)


def delay_plot(report: ProgressReport, labels: dict[str, str], group_label: dict[str, str]) -> bytes:
    """Bars: median days from proposal to active per group (groups where one became active)."""
    groups = [g for g in report.groups if g.days_to_active_median is not None][:MAX_GROUPS][::-1]
    figure, axes = plt.subplots(figsize=(6.2, 0.45 * max(len(groups), 2) + 1.4))
    if groups:
        names = [group_label.get(g.group, g.group) for g in groups]
        axes.barh(names, [g.days_to_active_median or 0 for g in groups], color=COLOURS["active"], label=labels["median"])
        axes.scatter([g.days_to_active_max or 0 for g in groups], names, marker="|", s=200, color="#000000", label=labels["longest"])
        axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)  # beside the bars, never over them
    else:
        axes.text(0.5, 0.5, labels["none_active"], ha="center", va="center", transform=axes.transAxes)
        axes.set_yticks([])
    axes.set_xlabel(labels["days"])
    axes.set_title(labels["delay_title"])
    return _png(figure)
