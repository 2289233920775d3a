"""Import: upload a file, see each rejected line with its reason, download the rejection report;
nothing is written until the person confirms, and only when everything is valid unless they
choose to import the valid records alone."""

from __future__ import annotations

import csv
import io
import re
import secrets
import shutil
import time
from pathlib import Path
from typing import Any

import openpyxl
from fastapi import APIRouter
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from matcher.errors import InvalidRecordsError, PeermatchError, RecordTypeUnknownError
from matcher.explanations import IMPORT_ONE_OF
from matcher.ingest.importing import ValidatedFile
from matcher.records import RecordType
from matcher.spreadsheet import spreadsheet_safe
from matcher.store.permissions import PRIVATE_DIR, PRIVATE_FILE
from service.console.labels import accepted_words, import_labels
from service.console.web import DOWNLOAD_HEADERS, SignedIn

router = APIRouter(include_in_schema=False)
UPLOAD_DAYS = 1.0  # an upload not imported within a day is forgotten
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
ACCEPTED = (".jsonl", ".ndjson", ".json", ".csv", ".xlsx")


class UploadProblem(PeermatchError):
    """An upload that cannot be checked (unknown format, expired, not found)."""


def _uploads(page: Any) -> Path:
    folder: Path = page.state.settings.data_dir / "uploads"
    folder.mkdir(mode=PRIVATE_DIR, exist_ok=True)
    return folder


NAME_MAX = 100  # characters of an upload's name kept on disk


def _safe_name(name: str) -> str:
    """The uploaded file's name, kept (its words tell members from resources) but made harmless."""
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(name).name).strip(".-")
    suffix = Path(base).suffix[:10]  # the extension says the format: it survives the cut
    base = base[: NAME_MAX - len(suffix)].rstrip(".-") + suffix if len(base) > NAME_MAX else base
    return base or "upload"


def _forget_old(folder: Path) -> None:
    cutoff = time.time() - UPLOAD_DAYS * 86_400
    for entry in folder.iterdir():
        if entry.is_dir() and entry.stat().st_mtime < cutoff:
            shutil.rmtree(entry, ignore_errors=True)


def _upload(page: Any, token: str) -> Path:
    if not TOKEN.match(token):
        raise UploadProblem(page.t.plain("This upload does not exist or has expired; upload the file again."))
    folder = _uploads(page) / token
    files = sorted(folder.glob("*")) if folder.is_dir() else []
    if not files:
        raise UploadProblem(page.t.plain("This upload does not exist or has expired; upload the file again."))
    return files[0]


def _checked(page: Any, path: Path, record_type: str) -> ValidatedFile:
    chosen = record_type if record_type in ("members", "resources") else None
    return page.state.workspace.check_import([path], record_type=chosen, labels=import_labels())[0]  # type: ignore[no-any-return]


@router.get("/import")
def import_form(page: SignedIn) -> Response:
    return page.render("import.html", checked=None)


@router.post("/import")
async def upload(page: SignedIn) -> Response:
    page.require_secretariat()
    form = await page.form()
    file = form.get("file")
    record_type = str(form.get("record_type") or "")
    if not isinstance(file, UploadFile) or not file.filename:
        return page.render("import.html", checked=None, error=page.t.plain("Choose a file to upload."), status=422)
    name = _safe_name(file.filename)
    if not name.lower().endswith(ACCEPTED):
        message = page.t.plain("%(file)s: unknown format (expected .csv, .xlsx, .jsonl or .json)", file=file.filename)
        return page.render("import.html", checked=None, error=message, status=422)
    folder = _uploads(page)
    _forget_old(folder)
    token = secrets.token_urlsafe(18)
    (folder / token).mkdir(mode=PRIVATE_DIR)
    path = folder / token / name
    with open(path, "wb") as handle:
        shutil.copyfileobj(file.file, handle)
    path.chmod(PRIVATE_FILE)
    return _preview(page, token, path, record_type, file.filename)


def _preview(page: Any, token: str, path: Path, record_type: str, shown_name: str, status: int = 200) -> Response:
    try:
        checked = _checked(page, path, record_type)
    except RecordTypeUnknownError:
        message = page.t.plain(
            "%(file)s: choose whether it holds members or resources under \u201cRecords\u201d, then check it again.", file=shown_name
        )
        return page.render("import.html", checked=None, error=message, status=422)
    except PeermatchError as error:  # unreadable: bad encoding, broken JSON at the top level
        return page.render("import.html", checked=None, error=str(error).replace(str(path), shown_name), status=422)
    reasons = [_reason(page.t, problem, record_type) for problem in checked.problems]
    return page.render(
        "import.html", checked=checked, reasons=reasons, token=token, name=shown_name, record_type=record_type, status=status
    )


def _reason(t: Any, problem: Any, record_type: str) -> str:
    """Why a line was refused, in the reader's language; a coded field refused for its value lists
    the words the reader may write (a French sheet may say "ville"), not only the English codes."""
    explanation = problem.explanation
    if explanation is not None and explanation.template == IMPORT_ONE_OF:
        accepted = accepted_words(t, str(problem.field).split(".")[0], record_type)
        if accepted is not None:
            return accepted
    return str(t.explain(explanation))


@router.get("/import/{token}")
def preview_again(page: SignedIn, token: str, record_type: str = "") -> Response:
    path = _upload(page, token)
    return _preview(page, token, path, record_type, path.name)


@router.get("/import/{token}/rejections.csv")
def rejections(page: SignedIn, token: str, record_type: str = "") -> Response:
    path = _upload(page, token)
    try:
        checked = _checked(page, path, record_type)
    except PeermatchError as error:
        raise UploadProblem(str(error).replace(str(path), path.name)) from None
    t = page.t
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=t.csv_delimiter)
    writer.writerow([t.plain("file"), t.plain("line"), t.plain("id"), t.plain("field"), t.plain("reason")])
    for problem in checked.problems:
        writer.writerow(
            spreadsheet_safe(cell)
            for cell in (path.name, problem.line, problem.record_id or "", problem.field, t.explain(problem.explanation))
        )
    headers = {**DOWNLOAD_HEADERS, "Content-Disposition": f'attachment; filename="{path.stem}.rejected.csv"'}
    return Response(buffer.getvalue().encode("utf-8-sig"), media_type="text/csv; charset=utf-8", headers=headers)


@router.post("/import/{token}")
async def commit(page: SignedIn, token: str) -> Response:
    """Write the upload in one transaction: all of it, or (when asked) its valid records only."""
    page.require_secretariat()
    form = await page.form()
    path = _upload(page, token)
    record_type = str(form.get("record_type") or "")
    valid_only = form.get("valid_only") == "true"
    chosen: RecordType | None = record_type if record_type in ("members", "resources") else None  # type: ignore[assignment]
    rejected_report = path.with_suffix(".rejected.jsonl")
    try:
        reports = page.state.import_files(
            [path], record_type=chosen, skip_invalid=valid_only, report_path=rejected_report, labels=import_labels()
        )
    except InvalidRecordsError:
        # The file changed its verdict since it was checked (a partner deleted meanwhile): show the check again.
        return _preview(page, token, path, record_type, path.name, status=422)
    shutil.rmtree(path.parent, ignore_errors=True)
    report = reports[0]
    t = page.t
    notice = t.plain(
        "%(file)s imported: %(written)s, %(rejected)s.",
        file=path.name,
        # Each count with its own plural ("1 enregistrement écrit, 2 rejetés"); unescaped: a notice is plain text.
        written=t.ngettext("%(num)s record written", "%(num)s records written", report.changed).unescape(),
        rejected=t.ngettext("%(num)s rejected", "%(num)s rejected", report.rejected).unescape(),
    )
    return page.redirect("/import", notice)


# ---- templates: a file to fill in, in the reader's language -------------------------------------
TEMPLATE_FIELDS = {
    "members": ["id", "name", "kind", "country", "region", "languages", "profile", "strengths", "needs", "clusters", "networks"],
    "resources": ["id", "title", "kind", "language", "summary", "text", "url", "published", "topics", "authors"],
}


def _example(page: Any, record_type: str) -> list[str]:
    """One row that imports as it stands, written with the labels the console shows."""
    t = page.t
    if record_type == "members":
        return [
            "city-example-sn",
            t.plain("Example learning city"),
            t.plain("city"),
            t.territory_name("SN"),
            t.plain("Africa"),
            f"{t.language_name('fr')}, {t.language_name('wo')}",  # a comma: no quotes needed in a ';' CSV
            t.plain("A learning city that trains its teachers in digital skills."),
            t.plain("adult literacy programmes"),
            t.plain("digital skills for teachers"),
            "esd",
            "GNLC",
        ]
    return [
        "resource-example",
        t.plain("Example guide to digital skills for teachers"),
        t.plain("publication"),
        t.language_name(t.language),
        t.plain("A short guide for teacher trainers."),
        "",
        "https://example.org/guide",
        "2024-05-01",
        "",
        "city-example-sn",
    ]


@router.get("/import/template/{record_type}.csv")
def template_csv(page: SignedIn, record_type: str) -> Response:
    """A CSV template (header and one example row) in the reader's language and their Excel's delimiter."""
    fields = TEMPLATE_FIELDS.get(record_type)
    if fields is None:
        raise UploadProblem(page.t.plain("There are templates for members and resources only."))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=page.t.csv_delimiter)
    writer.writerow(fields)
    writer.writerow(spreadsheet_safe(cell) for cell in _example(page, record_type))
    headers = {"Content-Disposition": f'attachment; filename="{record_type}-template-{page.t.language}.csv"'}
    return Response(buffer.getvalue().encode("utf-8-sig"), media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/import/template/{record_type}.xlsx")
def template_xlsx(page: SignedIn, record_type: str) -> Response:
    """The same template as an Excel workbook."""
    fields = TEMPLATE_FIELDS.get(record_type)
    if fields is None:
        raise UploadProblem(page.t.plain("There are templates for members and resources only."))
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = record_type
    sheet.append(fields)
    sheet.append([spreadsheet_safe(cell) for cell in _example(page, record_type)])
    buffer = io.BytesIO()
    book.save(buffer)
    headers = {"Content-Disposition": f'attachment; filename="{record_type}-template-{page.t.language}.xlsx"'}
    media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(buffer.getvalue(), media_type=media, headers=headers)
