"""Every font every rendered PDF names is embedded (what `pdffonts` shows as "emb yes"):
the report family (DejaVu Sans, resources/fonts) everywhere, no Helvetica fallback from
a table cell's default font or a chart's initial state."""

from __future__ import annotations

import io
from typing import Any

from pypdf import PdfReader
from pypdf.generic import DictionaryObject, IndirectObject

from inspector_app.services import report_service
from inspector_app.services.program_reports import build_annual_report, write_wso_summaries
from inspector_app.store.queries import list_reviews

FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")


def _resolve(obj: Any) -> Any:
    return obj.get_object() if isinstance(obj, IndirectObject) else obj


def _fonts(resources: Any, seen: set[int]) -> list[DictionaryObject]:
    """The fonts of a resource dictionary and of the form XObjects it uses, recursively."""
    res = _resolve(resources)
    if not isinstance(res, DictionaryObject) or id(res) in seen:
        return []
    seen.add(id(res))
    out = [_resolve(f) for f in _resolve(res.get("/Font", DictionaryObject())).values()]
    for xobj in _resolve(res.get("/XObject", DictionaryObject())).values():
        x = _resolve(xobj)
        if x.get("/Subtype") == "/Form" and "/Resources" in x:
            out += _fonts(x["/Resources"], seen)
    return out


def unembedded_fonts(pdf: bytes) -> set[str]:
    """Names of the fonts `pdf` uses without embedding them."""
    missing: set[str] = set()
    seen: set[int] = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in _fonts(page.get("/Resources"), seen):
            if font.get("/Subtype") == "/Type3":
                continue  # glyphs drawn by the PDF itself
            described = [_resolve(d) for d in _resolve(font.get("/DescendantFonts", []))] or [font]
            for f in described:
                descriptor = _resolve(f.get("/FontDescriptor")) or {}
                if not any(k in descriptor for k in FONT_FILES):
                    missing.add(str(font.get("/BaseFont")))
    return missing


def test_every_review_report_embeds_its_fonts(demo_db):
    with demo_db.read() as s:
        ids = [r.review.id for r in list_reviews(s)]
    rendered = 0
    for review_id in ids:
        for kind, available, _why in report_service.available_reports(demo_db, review_id):
            if not available:
                continue
            pdf, *_ = report_service.build_pdf(demo_db, kind, review_id)
            assert unembedded_fonts(pdf) == set(), (kind, review_id)
            rendered += 1
    assert rendered >= 3  # inspection reports (draft, final, WSO), request form, ...


def test_annual_report_and_wso_summaries_embed_their_fonts(demo_db, tmp_path):
    for fy in (2026, 2027):
        pdf, _pages = build_annual_report(demo_db, fy)
        assert unembedded_fonts(pdf) == set(), fy
    files = write_wso_summaries(demo_db, 2026, tmp_path / "wso")
    assert files.pdfs
    for path in files.pdfs:
        assert unembedded_fonts(path.read_bytes()) == set(), path.name
