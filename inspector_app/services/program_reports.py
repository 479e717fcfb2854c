"""Rendering the program's fiscal-year reports to files: the annual report (PDF) and the
annual WSO summaries (one PDF per WSO-partner LEA plus one Excel workbook).

Like report_service: the PDFs are kept by SHA-256 beside the attachments and recorded as
ReportArtifact rows (with the fiscal year) in one unit of work; the same data gives the
same bytes, so rendering twice keeps one artifact. Files are written atomically.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import select

from inspector_app.analytics import excel
from inspector_app.analytics.loader import (
    field_office_key,
    find_field_office,
    load_agencies,
    load_field_offices,
    load_frames,
)
from inspector_app.analytics.summary import TREND_YEARS
from inspector_app.analytics.wso_summary import wso_summaries
from inspector_app.domain.enums import ReportKind
from inspector_app.reports.annual import AnnualReport
from inspector_app.reports.base import slug
from inspector_app.reports.wso_summary import WsoSummaryReport
from inspector_app.store.database import Database
from inspector_app.store.files import put_blob
from inspector_app.store.models import ReportArtifact

from . import accounts, audit, forms
from .errors import Invalid
from .report_service import write_atomically
from .uow import UnitOfWork, unit_of_work

Progress = Callable[[int, str], None]


@dataclass
class WrittenReport:
    path: Path
    sha256: str
    pages: int
    artifact_id: str
    narrative: Path | None = None  # the year in brief as plain text, beside the PDF


@dataclass
class WsoSummaryFiles:
    fiscal_year: int
    pdfs: list[Path] = field(default_factory=list)
    workbook: Path = Path()
    leas: int = 0


def _keep(uow: UnitOfWork, kind: ReportKind, fiscal_year: int, pdf: bytes, digest: str,
          filename: str, pages: int, params: dict[str, Any]) -> ReportArtifact:  # fmt: skip
    existing = uow.session.exec(
        select(ReportArtifact).where(
            ReportArtifact.kind == kind, ReportArtifact.fiscal_year == fiscal_year,
            ReportArtifact.sha256 == digest, ReportArtifact.deleted == False,  # noqa: E712
        )
    ).first()  # fmt: skip
    artifact = existing or uow.save(ReportArtifact(
        kind=kind, fiscal_year=fiscal_year, sha256=digest, filename=filename, size=len(pdf),
        pages=pages, params=params))  # fmt: skip
    uow.audit("report_artifact", artifact.id, kind=kind, fiscal_year=fiscal_year, sha256=digest,
              pages=pages, reused=existing is not None, **params)  # fmt: skip
    return artifact


def _office_key(code: str | None) -> str | None:
    return field_office_key(code) if code is not None else None


def _suffix(code: str | None) -> str:
    """The file-name suffix of a report narrowed to a field office ("-atl"), else ""."""
    return f"-{slug(code)}" if code else ""


def annual_report(db: Database, fiscal_year: int,
                  field_office: str | None = None) -> AnnualReport:  # fmt: skip
    """The annual report of a fiscal year, ready to render; the whole program's carries
    the national roll-up (each field office's figures and their total)."""
    accounts.require(db, "program_export")
    with db.read() as s:
        office = find_field_office(s, field_office)
        frames = load_frames(s, range(fiscal_year - TREND_YEARS + 1, fiscal_year + 1),
                             topics=list(forms.topics()), office=office)  # fmt: skip
        office_of = None
        if office is None:
            names = dict(load_field_offices(s))
            agencies = load_agencies(s)
            office_of = {a: names.get(o or "", "") for a, o in
                         zip(agencies["id"], agencies["field_office_id"], strict=True)}  # fmt: skip
    return AnnualReport(frames, fiscal_year, forms.topics(), office_of)


def annual_narrative(db: Database, fiscal_year: int, field_office: str | None = None) -> str:
    """The year in brief, as plain text for a briefing (the annual report's first section)."""
    return annual_report(db, fiscal_year, field_office).narrative


def build_annual_report(db: Database, fiscal_year: int, progress: Progress | None = None,
                        field_office: str | None = None) -> tuple[bytes, int]:  # fmt: skip
    """The annual report's PDF bytes and page count, without keeping anything; with
    `field_office` (a code), of that field office's agencies only (UnknownFieldOffice if
    no field office has the code)."""
    step = progress or (lambda _p, _m: None)
    step(5, "Counting the fiscal years")
    report = annual_report(db, fiscal_year, field_office)
    step(30, "Laying out pages")
    result = report.render(lambda p: step(30 + int(p * 0.6), "Laying out pages"))
    return result.pdf, result.pages


def write_annual_report(db: Database, fiscal_year: int, out: Path | str,
                        progress: Progress | None = None,
                        field_office: str | None = None) -> WrittenReport:  # fmt: skip
    out = Path(out).expanduser()
    if not out.parent.is_dir():  # fail before rendering, not after
        raise Invalid("out", f"{out.parent}: no such folder; create it or choose another")
    step = progress or (lambda _p, _m: None)
    step(5, "Counting the fiscal years")
    report = annual_report(db, fiscal_year, field_office)
    step(30, "Laying out pages")
    result = report.render(lambda p: step(30 + int(p * 0.6), "Laying out pages"))
    pdf, pages = result.pdf, result.pages
    digest = put_blob(db.attachments_dir, pdf)
    office = _office_key(field_office)
    params = {"field_office": office} if office else {}
    with unit_of_work(db, "render_annual_report") as uow:
        artifact = _keep(uow, ReportKind.ANNUAL, fiscal_year, pdf, digest,
                         f"annual-report-fy{fiscal_year}{_suffix(office)}.pdf", pages, params)  # fmt: skip
    write_atomically(out, pdf)
    text = write_atomically(out.with_suffix(".txt"), (report.narrative + "\n").encode("utf-8"))
    audit.record_event(db, "export", "success", "report_artifact", artifact.id,
                       file=str(out), sha256=digest)  # fmt: skip
    if progress:
        progress(100, "Done")
    return WrittenReport(out, digest, pages, artifact.id, text)


def write_wso_summaries(db: Database, fiscal_year: int, out_dir: Path | str,
                        progress: Progress | None = None,
                        field_office: str | None = None) -> WsoSummaryFiles:  # fmt: skip
    """One PDF per WSO-partner LEA and `wso-summary-fyYYYY.xlsx` into `out_dir`; with
    `field_office` (a code), only that office's LEAs and `wso-summary-fyYYYY-code.xlsx`."""
    accounts.require(db, "program_export")
    step = progress or (lambda _p, _m: None)
    folder = Path(out_dir).expanduser()
    if folder.exists() and not folder.is_dir():
        raise Invalid("out", f"{folder}: is a file; give a folder for the PDFs and the workbook")
    if not folder.parent.is_dir():
        raise Invalid("out", f"{folder.parent}: no such folder; create it or choose another")
    step(5, "Collecting warrants, reviews and officers")
    with db.read() as s:  # before making the folder: an unknown code leaves nothing behind
        office = find_field_office(s, field_office)
        summaries = wso_summaries(s, fiscal_year, office)
    folder.mkdir(exist_ok=True)
    files = WsoSummaryFiles(fiscal_year, leas=len(summaries))
    rendered: list[tuple[Path, bytes, int, str, str]] = []
    names: set[str] = set()
    for i, lea in enumerate(summaries):
        step(10 + int(75 * i / max(len(summaries), 1)), f"Summary of {lea.name}")
        result = WsoSummaryReport(lea).render()
        name = f"wso-summary-fy{fiscal_year}-{slug(lea.name)}-{lea.state.lower()}.pdf"
        while name in names:  # two LEAs of one name and state: keep both files
            name = name.replace(".pdf", "-2.pdf")
        names.add(name)
        digest = put_blob(db.attachments_dir, result.pdf)
        rendered.append((folder / name, result.pdf, result.pages, digest, lea.agency_id))
    step(88, "Writing the workbook")
    workbook = excel.wso_workbook(summaries, fiscal_year, office)
    with unit_of_work(db, "render_wso_summaries") as uow:
        for path, pdf, pages, digest, agency_id in rendered:
            _keep(uow, ReportKind.WSO_SUMMARY, fiscal_year, pdf, digest, path.name, pages,
                  {"agency_id": agency_id})  # fmt: skip
    for path, pdf, *_ in rendered:
        write_atomically(path, pdf)
        files.pdfs.append(path)
    files.workbook = write_atomically(
        folder / f"wso-summary-fy{fiscal_year}{_suffix(office.code if office else None)}.xlsx",
        workbook,
    )
    audit.record_event(db, "export", "success", "wso_summaries", f"FY{fiscal_year}",
                       folder=str(folder), files=len(files.pdfs) + 1)  # fmt: skip
    step(100, "Done")
    return files


# --- what the Program view shows ----------------------------------------------------------


@dataclass
class ProgramData:
    """Everything the Program view shows for a fiscal year, read in one go (off the GUI
    thread): the summary and measures, the six-year trend, and the frames kept for
    drilling down from a number to its reviews and findings."""

    fiscal_year: int
    model: str | None
    frames: Any  # analytics.loader.ProgramFrames
    summary: dict[str, Any]
    measures: dict[str, Any]
    trend: Any  # pandas DataFrame
    topic_titles: dict[str, str]


def program_data(db: Database, fiscal_year: int, model: str | None = None,
                 progress: Progress | None = None) -> ProgramData:  # fmt: skip
    from inspector_app.analytics.measures import load_inputs, measures
    from inspector_app.analytics.summary import summary, trend

    step = progress or (lambda _p, _m: None)
    step(10, "Loading reviews and findings")
    topics = forms.topics()
    with db.read() as s:
        frames = load_frames(s, range(fiscal_year - TREND_YEARS + 1, fiscal_year + 1),
                             topics=list(topics))  # fmt: skip
        step(50, "Computing the measures")
        inputs = load_inputs(s, fiscal_year)
    step(80, "Counting")
    return ProgramData(fiscal_year, model, frames, summary(frames, fiscal_year, model),
                       measures(inputs, fiscal_year), trend(frames, fiscal_year), dict(topics))  # fmt: skip


def export_table(df: Any, out: Path | str, title: str = "Table") -> Path:
    """Write a table to .xlsx (by the file's suffix) or .csv, atomically."""
    out = Path(out).expanduser()
    data = excel.table_xlsx(df, title) if out.suffix.lower() == ".xlsx" else excel.table_csv(df)
    return write_atomically(out, data)
