"""Builders shared by the report tests (imported as tests.unit.test_reports_support),
plus tests of the base building blocks."""

from __future__ import annotations

import io
import re
from datetime import date

from pypdf import PdfReader
from sqlalchemy import text

from inspector_app.domain.enums import FindingKind, IntervieweeRole, ReviewKind
from inspector_app.reports.base import (
    THUMB_DPI,
    Styled,
    data_table,
    fingerprint,
    slug,
    thumbnail,
)
from inspector_app.services import agencies as ag
from inspector_app.services import attachments, findings, interviews, reviews
from inspector_app.store.database import Database

GREEK = "Σωκράτης Παπαδόπουλος"
CYRILLIC = "Дмитрий Иванов"
NAMES = ["Nguyễn Thị Lan", "José Núñez", GREEK, CYRILLIC]
HASH = "ab12" * 16


def photo(color: tuple[int, int, int] = (40, 90, 140)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (320, 200), color).save(buf, format="JPEG", quality=80)
    return buf.getvalue()


def pages_text(pdf: bytes) -> list[str]:
    return [p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages]


def flat(pdf: bytes) -> str:
    """All text with whitespace collapsed (lines wrap anywhere)."""
    return re.sub(r"\s+", " ", "\n".join(pages_text(pdf)))


def agency_world(db: Database, *, model: str = "JEM", name: str = "Alder County Sheriff's Office"):
    office = ag.create_field_office(db, name="Atlanta", code="ATL", state="GA",
                                    poc_name="Marisol Peña", poc_email="m.pena@example.gov")  # fmt: skip
    agency = ag.create_agency(db, name=name, state="GA", county="Alder", field_office_id=office.id)
    agreement = ag.create_agreement(db, agency_id=agency.id, model=model,
                                    signed_on=date(2024, 1, 15), moa_number=f"287G-GA-{model}")  # fmt: skip
    return office, agency, agreement


def started_review(db: Database, agency_id: str, kind: str = ReviewKind.JEM_INSPECTION,
                   team: list[str] | None = None, lead: str = "Dana Whitfield"):  # fmt: skip
    review = reviews.schedule_review(
        db, agency_id=agency_id, kind=kind, lead_inspector=lead, team=team or [lead],
        planned_start=date(2026, 10, 20), planned_end=date(2026, 10, 22),
    )  # fmt: skip
    return reviews.start_review(db, review.id, on=date(2026, 10, 20))


def add_findings(db: Database, review_id: str, counts: dict[str, int], *,
                 description: str = "Observed on site.") -> list:  # fmt: skip
    out = []
    for kind, n in counts.items():
        for i in range(n):
            out.append(findings.add_finding(
                db, review_id=review_id, kind=kind, topic="training", responsible="lea",
                citation="287(g) JEM MOA", description=f"{kind} {i + 1}: {description}",
            ))  # fmt: skip
    return out


def make_final(db: Database, review_id: str, content_hash: str | None = None) -> str:
    """Finalize by hand (a test shortcut: lifecycle.finalize_review wants a complete review).
    The stored hash is the review's real content hash unless one is given (a made-up one
    makes a final review that no longer matches its hash). Returns the stored hash."""
    if content_hash is None:
        from inspector_app.domain.content_hash import content_hash as hash_of
        from inspector_app.services import lifecycle

        with db.read() as s:
            content_hash = hash_of(lifecycle.review_content(s, review_id))
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE review SET status='final', content_hash=:h, "
                "finalized_at='2026-10-25 12:00:00.000000' WHERE id=:id"
            ),  # fmt: skip
            {"h": content_hash, "id": review_id},
        )
    return content_hash


def wso_world(db: Database, officer_names: list[str]):
    """A started WSO review with one completed interview per officer (one gap each)."""
    office, agency, agreement = agency_world(db, model="WSO", name="Cedar County Sheriff's Office")
    officers = [ag.add_officer(db, agency_id=agency.id, name=n, model="WSO") for n in officer_names]
    review = started_review(db, agency.id, ReviewKind.WSO_REVIEW, team=NAMES)
    form = interviews.interview_form("WSO", IntervieweeRole.OFFICER)
    gap_question = next(q for q in form.items() if q.answer == "understanding")
    for officer in officers:
        iv = interviews.start_interview(db, review_id=review.id, role=IntervieweeRole.OFFICER,
                                        officer_id=officer.id, on=date(2026, 10, 20))  # fmt: skip
        for q in form.items():
            value = "understood" if q.answer == "understanding" else None
            if q.key == gap_question.key:
                value = "partial"
            if value:
                interviews.record_interview_answer(db, interview_id=iv.id, question_key=q.key,
                                                   value=value, note="Hesitated." if value == "partial" else None)  # fmt: skip
        interviews.complete_interview(db, iv.id)
    return review, officers, gap_question


# --- tests of the building blocks ---------------------------------------------------


def test_slug_makes_short_ascii_file_names():
    assert slug("Alder County Sheriff's Office") == "alder-county-so"
    assert slug("Dunmore County Detention Center") == "dunmore-county-dc"
    assert slug("Condado de Núñez") == "condado-de-nunez"


def test_fingerprint_changes_with_the_data():
    assert fingerprint({"a": 1}) == fingerprint({"a": 1})
    assert fingerprint({"a": 1}) != fingerprint({"a": 2})


def test_thumbnail_says_what_is_wrong_instead_of_failing():
    from reportlab.platypus import Image, Paragraph

    assert isinstance(thumbnail(photo(), "ok.jpg"), Image)
    missing = thumbnail(None, "gone.jpg")
    assert isinstance(missing, Paragraph) and "[image missing: gone.jpg]" in missing.text
    broken = thumbnail(b"\xff\xd8\xff not really a jpeg", "broken.jpg")
    assert "[image unreadable: broken.jpg]" in broken.text
    truncated = thumbnail(photo()[:300], "cut.jpg")
    assert "[image unreadable: cut.jpg]" in truncated.text


def test_thumbnail_embeds_a_camera_photo_at_its_drawn_size():
    from PIL import Image as PILImage

    buf = io.BytesIO()
    PILImage.effect_noise((4000, 3000), 40).convert("RGB").save(buf, format="JPEG", quality=90)
    thumb = thumbnail(buf.getvalue(), "camera.jpg", max_width=144, max_height=144)
    assert (round(thumb.drawWidth), round(thumb.drawHeight)) == (144, 108)  # the box, aspect kept
    assert thumb.imageWidth <= 2 * 144 * THUMB_DPI / 72  # embedded small, not 4000 pixels wide
    # decoded at a reduced scale, yet a file cut short is still caught
    cut = thumbnail(buf.getvalue()[:-2000], "cut.jpg", max_width=144, max_height=144)
    assert "[image unreadable: cut.jpg]" in cut.text


def test_thumbnail_keeps_a_small_jpeg_and_converts_other_formats():
    from PIL import Image as PILImage

    small = io.BytesIO()
    PILImage.new("RGB", (120, 90), (1, 2, 3)).save(small, format="JPEG")
    assert thumbnail(small.getvalue(), "s.jpg")._img.fp.getvalue() == small.getvalue()
    png = io.BytesIO()
    PILImage.new("RGBA", (800, 600), (9, 9, 9, 128)).save(png, format="PNG")
    thumb = thumbnail(png.getvalue(), "shot.png")
    assert thumb._img.fp.getvalue()[:2] == b"\xff\xd8"  # a JPEG now
    assert (round(thumb.drawWidth), round(thumb.drawHeight)) == (144, 108)


def test_data_table_draws_one_line_text_as_strings():
    from reportlab.platypus import Paragraph

    long = "a question long enough to need a second line in a narrow column " * 2
    (table,) = data_table(["No.", "Question", "Answer"],
                          [["1", long, Styled("No", "CellAlert")]], [40, 200, 60])  # fmt: skip
    head, row = table._cellvalues
    assert head == ["No.", "Question", "Answer"]
    assert row[0] == "1" and isinstance(row[1], Paragraph) and row[2] == "No"
    answer = table._cellStyles[1][2]
    assert answer.fontname.endswith("-Bold") and answer.color.hexval() == "0xb3261e"


def test_attachment_builder_stores_a_photo(db):
    _, agency, _ = agency_world(db)
    review = started_review(db, agency.id)
    a = attachments.add_attachment(db, source=photo(), filename="p.jpg", review_id=review.id)
    assert a.mime_type == "image/jpeg"
    assert FindingKind.DEFICIENCY.label == "Deficiency"
