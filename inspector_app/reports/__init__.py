"""PDF reports, rendered with ReportLab from data handed in by the services.

No Qt and no services here (reports sit below services): a report gets a
`ReportSources` (the review's data, its forms, topic titles, an image loader) and
returns PDF bytes. `base` holds what every report shares and what the annual
reports will reuse: fonts, styles, `BaseReport`, `NumberedCanvas` ("Page X of Y"),
tables, counts boxes and thumbnails.
"""

from __future__ import annotations

from collections.abc import Callable

from inspector_app.domain.enums import ReportKind

from .base import BaseReport, RenderResult, ReportMeta
from .closeout import CloseoutMemo, FindingsStillOpen
from .focus_review import FocusReviewReport
from .inspection import InspectionReport
from .request_form import DEFAULT_REQUEST_ITEMS, RequestFormReport
from .sources import ImageLoader, ReportSources, closeout_facts, suggested_filename

# The per-review reports, by kind. (The annual reports are built from a fiscal year.)
REVIEW_REPORTS: dict[ReportKind, Callable[[ReportSources], BaseReport]] = {
    ReportKind.INSPECTION: InspectionReport,
    ReportKind.FOCUS_REVIEW: FocusReviewReport,
    ReportKind.REQUEST_FORM: RequestFormReport,
    ReportKind.CLOSEOUT: CloseoutMemo,
}


def build_review_report(kind: ReportKind | str, src: ReportSources) -> BaseReport:
    """The report object for a review (call .render() for the bytes).

    Raises FindingsStillOpen for a closeout memo while findings are open. Whether the
    kind fits the review (a focus-review report of a focus review...) is the caller's
    check: services.report_service.available_reports says which apply.
    """
    return REVIEW_REPORTS[ReportKind(kind)](src)


__all__ = [
    "DEFAULT_REQUEST_ITEMS", "REVIEW_REPORTS", "BaseReport", "CloseoutMemo", "FindingsStillOpen",
    "FocusReviewReport", "ImageLoader", "InspectionReport", "RenderResult", "ReportMeta",
    "ReportSources", "RequestFormReport", "build_review_report", "closeout_facts",
    "suggested_filename",
]  # fmt: skip
