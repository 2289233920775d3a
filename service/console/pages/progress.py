"""The progress page: proposals by status, time to an active partnership, outcomes and ratings,
overdue check-ins and answers, per network, cluster or region; plots as images in the reader's
language; exports as CSV (the locale's delimiter and decimal sign) and .xlsx."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
from fastapi import APIRouter, Query
from fastapi.responses import Response

from matcher.partnerships.model import STATUSES
from matcher.progress import GROUPINGS, GroupProgress, ProgressReport
from matcher.spreadsheet import spreadsheet_safe
from matcher.usecases.progress import progress_for
from service.console.progress_plots import delay_plot, status_plot
from service.console.web import DOWNLOAD_HEADERS, ConsolePage, SignedIn

router = APIRouter(include_in_schema=False)
By = Query("region", pattern="^(network|cluster|region)$")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _report(page: ConsolePage, by: str) -> ProgressReport:
    return progress_for(page.state.workspace.store, by if by in GROUPINGS else "region")  # type: ignore[arg-type]


def group_labels(page: ConsolePage, report: ProgressReport) -> dict[str, str]:
    """A group's name as the reader reads it: a region or a cluster in the reader's language."""
    t = page.t
    regions = {
        "Africa": t.plain("Africa"),
        "Arab States": t.plain("Arab States"),
        "Asia-Pacific": t.plain("Asia-Pacific"),
        "Europe and North America": t.plain("Europe and North America"),
        "Latin America and the Caribbean": t.plain("Latin America and the Caribbean"),
    }
    out = {"(none)": t.plain("(none)"), "total": t.plain("All proposals")}
    for g in report.groups:
        if report.by == "region":
            out.setdefault(g.group, regions.get(g.group, g.group))
        elif report.by == "cluster":
            out.setdefault(g.group, page.cluster_name(g.group))
    return out


def status_labels(page: ConsolePage) -> dict[str, str]:
    t = page.t
    names = {"proposed": t.plain("proposed"), "approved": t.plain("approved"), "rejected": t.plain("rejected")}
    names |= {"active": t.plain("active"), "declined": t.plain("declined"), "closed": t.plain("closed")}
    return names


@router.get("/progress")
def progress_page(page: SignedIn, by: str = By) -> Response:
    report = _report(page, by)
    return page.render(
        "progress.html", report=report, by=report.by, groupings=GROUPINGS, statuses=STATUSES, group_name=group_labels(page, report)
    )


@router.get("/progress/plots/{name}.png")
def progress_plot(page: SignedIn, name: str, by: str = By) -> Response:
    report = _report(page, by)
    t = page.t
    labels = status_labels(page) | {
        "proposals": t.plain("proposals"),
        "status_title": t.plain("Proposals by status"),
        "delay_title": t.plain("Days from proposal to active partnership"),
        "days": t.plain("days"),
        "median": t.plain("median"),
        "longest": t.plain("longest"),
        "none_active": t.plain("No partnership has become active yet."),
    }
    if name == "status":
        image = status_plot(report, labels, group_labels(page, report))
    elif name == "delay":
        image = delay_plot(report, labels, group_labels(page, report))
    else:
        return Response(status_code=404)
    return Response(image, media_type="image/png", headers={"Cache-Control": "no-store"})


def _rows(page: ConsolePage, report: ProgressReport, decimal: Any) -> list[list[Any]]:
    t = page.t
    names = group_labels(page, report)
    header = [t.plain("Group"), t.plain("Proposals"), *status_labels(page).values()]
    header += [t.plain("Became active"), t.plain("Median days to active"), t.plain("Outcomes"), t.plain("Mean rating")]
    header += [t.plain("Overdue check-ins"), t.plain("Overdue answers")]
    rows: list[list[Any]] = [header]

    def row(g: GroupProgress) -> list[Any]:
        return [
            names.get(g.group, g.group),
            g.proposals,
            *(g.by_status[s] for s in status_labels(page)),
            g.became_active,
            decimal(g.days_to_active_median),
            g.outcomes,
            decimal(g.rating_mean),
            g.overdue_check_ins,
            g.overdue_answers,
        ]

    rows += [row(g) for g in report.groups]
    rows.append(row(report.total))
    return rows


def _filename(report: ProgressReport, page: ConsolePage, suffix: str) -> dict[str, str]:
    name = f"progress-by-{report.by}-{report.today.isoformat()}-{page.t.language}.{suffix}"
    return {**DOWNLOAD_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'}


@router.get("/progress/export.csv")
def export_csv(page: SignedIn, by: str = By) -> Response:
    report = _report(page, by)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=page.t.csv_delimiter)  # ';' where the decimal sign is a comma: opens in columns
    for cells in _rows(page, report, lambda v: "" if v is None else page.t.decimal(v, 2)):
        writer.writerow(spreadsheet_safe(c) for c in cells)
    return Response(buffer.getvalue().encode("utf-8-sig"), media_type="text/csv; charset=utf-8", headers=_filename(report, page, "csv"))


@router.get("/progress/export.xlsx")
def export_xlsx(page: SignedIn, by: str = By) -> Response:
    report = _report(page, by)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = page.t.plain("Progress")[:31]
    for cells in _rows(page, report, lambda v: v):  # numbers stay numbers: the spreadsheet formats them
        sheet.append([spreadsheet_safe(c) if isinstance(c, str) else c for c in cells])
    buffer = io.BytesIO()
    book.save(buffer)
    return Response(buffer.getvalue(), media_type=XLSX, headers=_filename(report, page, "xlsx"))
