"""The inspection report, read back from the PDF: counts, grouping, watermark, hash,
page numbers, edge cases, determinism."""

from __future__ import annotations

import re

import pytest

from inspector_app.domain.enums import ReportKind, ReviewKind
from inspector_app.services import attachments, report_service
from inspector_app.store.files import blob_path
from inspector_app.store.models import ReportArtifact
from inspector_app.store.queries import list_reviews, live, load_review
from tests.unit.test_reports_support import (
    CYRILLIC,
    GREEK,
    NAMES,
    add_findings,
    agency_world,
    flat,
    make_final,
    pages_text,
    photo,
    started_review,
    wso_world,
)


def _review_id(db, kind: str, status: str | None = None) -> str:
    with db.read() as s:
        return next(r.review.id for r in list_reviews(s) if r.review.kind == kind
                    and (status is None or r.review.status == status))  # fmt: skip


def _assert_numbered(pdf: bytes) -> list[str]:
    pages = pages_text(pdf)
    for n, page in enumerate(pages, 1):
        assert f"Page {n} of {len(pages)}" in page
    return pages


def test_demo_inspection_has_title_summary_findings_and_appendix(demo_db):
    review_id = _review_id(demo_db, ReviewKind.JEM_INSPECTION, "report_draft")
    rendered = report_service.render_report(demo_db, ReportKind.INSPECTION, review_id)
    pages = _assert_numbered(rendered.pdf)
    assert rendered.pages == len(pages) > 3
    assert rendered.filename.startswith("inspection-alder-county-so-2026-")
    text = flat(rendered.pdf)
    assert "JEM inspection report" in pages[0] and "Alder County Sheriff's Office" in pages[0]
    for label in ("Field office", "Program model", "Fiscal year", "FY2026", "Lead inspector",
                  "Dana Whitfield", "Inés Carvalho"):  # fmt: skip
        assert label in pages[0]
    # demo: 3 deficiencies, 2 areas of concern, 1 best practice -> focus review required
    assert "3 2 1 Deficiencies Areas of concern Best practices" in text  # the counts box
    assert "A focus review is required by" in text
    assert "In number order: 3 deficiencies, 2 areas of concern, 1 best practice." in text
    assert "Processing area wall, day 1" in text  # the evidence photo's caption
    assert "Appendix: checklist" in text
    assert all("DRAFT" in p for p in pages)  # watermark (and footer) on every page of a draft


def test_final_report_has_hash_on_every_page_and_no_draft_mark(demo_db):
    review_id = _review_id(demo_db, ReviewKind.JEM_INSPECTION, "report_draft")
    stored = make_final(demo_db, review_id)
    rendered = report_service.render_report(demo_db, ReportKind.INSPECTION, review_id)
    pages = _assert_numbered(rendered.pdf)
    assert not any("DRAFT" in p for p in pages)
    assert all(f"Final (revision 0) · content hash SHA-256 {stored}" in p for p in pages)
    assert "CONTENT CHANGED" not in flat(rendered.pdf)
    assert rendered.artifact.params["review_status"] == "final"
    assert rendered.artifact.params["final"] is True


def test_same_data_gives_the_same_bytes_and_one_artifact(demo_db):
    review_id = _review_id(demo_db, ReviewKind.JEM_INSPECTION, "report_draft")
    first = report_service.render_report(demo_db, ReportKind.INSPECTION, review_id)
    second = report_service.render_report(demo_db, ReportKind.INSPECTION, review_id)
    assert first.pdf == second.pdf and first.sha256 == second.sha256
    assert first.artifact.id == second.artifact.id
    with demo_db.read() as s:
        rows = live(s, ReportArtifact, ReportArtifact.review_id == review_id)
    assert len(rows) == 1 and rows[0].pages == first.pages and rows[0].size == len(first.pdf)
    assert blob_path(demo_db.attachments_dir, first.sha256).read_bytes() == first.pdf


def test_a_change_to_the_data_changes_the_bytes(demo_db):
    from inspector_app.services import reviews

    review_id = _review_id(demo_db, ReviewKind.WSO_REVIEW, "in_progress")
    before = report_service.build_pdf(demo_db, ReportKind.INSPECTION, review_id)[0]
    reviews.update_review(demo_db, review_id, summary="Scope changed.")
    after = report_service.build_pdf(demo_db, ReportKind.INSPECTION, review_id)[0]
    assert before != after and "Scope changed." in flat(after)


def test_review_with_no_findings(db):
    _, agency, _ = agency_world(db)
    review = started_review(db, agency.id)
    pdf = report_service.render_report(db, ReportKind.INSPECTION, review.id).pdf
    text = flat(pdf)
    assert "No findings were recorded in this review." in text
    assert "No focus review is required: 0 deficiencies" in text
    _assert_numbered(pdf)


@pytest.mark.slow
def test_sixty_findings_and_a_very_long_description(db):
    _, agency, _ = agency_world(db)
    review = started_review(db, agency.id)
    long = ("The officer's file lacked the required record. " * 110)[:5000] + " END-OF-LONG-TEXT"
    add_findings(db, review.id, {"deficiency": 25, "area_of_concern": 20, "best_practice": 15})
    from inspector_app.services import findings

    findings.add_finding(db, review_id=review.id, kind="deficiency", topic="complaints",
                         description=long)  # fmt: skip
    rendered = report_service.render_report(db, ReportKind.INSPECTION, review.id)
    pages = _assert_numbered(rendered.pdf)
    text = flat(rendered.pdf)
    assert "26 deficiencies, 20 areas of concern, 15 best practices" in text
    heads = [int(n) for n in re.findall(r"F-(\d+) · ", text)]
    assert heads == list(range(1, 62))  # the findings section, in number order
    assert "END-OF-LONG-TEXT" in text
    assert "46 deficiencies and areas of concern" in text
    assert len(pages) > 10


def test_non_latin_and_accented_names_print(db):
    review, officers, gap = wso_world(db, NAMES)
    pdf = report_service.render_report(db, ReportKind.INSPECTION, review.id).pdf
    text = flat(pdf)
    for name in NAMES:
        assert name in text  # team on the title page and the officers' interview summaries
    title_page = re.sub(r"\s+", " ", pages_text(pdf)[0])
    assert GREEK in title_page and CYRILLIC in title_page
    # interview summary per officer: questions answered, the gap, findings raised
    assert text.count("Questions answered") == len(NAMES)
    assert text.count("Gaps in understanding 1") == len(NAMES)
    assert "Partly understood" in text and "Hesitated." in text


def test_missing_and_unreadable_images_are_named_not_fatal(db):
    _, agency, _ = agency_world(db)
    review = started_review(db, agency.id)
    finding = add_findings(db, review.id, {"deficiency": 1})[0]
    attachments.add_attachment(db, source=photo(), filename="good.jpg", finding_id=finding.id,
                               caption="Good photo")  # fmt: skip
    attachments.add_attachment(db, source=b"\xff\xd8 garbage", filename="broken.jpg",
                               finding_id=finding.id)  # fmt: skip
    gone = attachments.add_attachment(db, source=photo((200, 0, 0)), filename="gone.jpg",
                                      finding_id=finding.id)  # fmt: skip
    damaged = attachments.add_attachment(db, source=photo((0, 200, 0)), filename="damaged.jpg",
                                         finding_id=finding.id)  # fmt: skip
    blob_path(db.attachments_dir, gone.sha256).unlink()
    blob_path(db.attachments_dir, damaged.sha256).write_bytes(b"bit rot")
    text = flat(report_service.render_report(db, ReportKind.INSPECTION, review.id).pdf)
    assert "[image unreadable: broken.jpg]" in text
    assert "[image missing: gone.jpg]" in text
    assert "[image unreadable: damaged.jpg]" in text
    assert "Good photo" in text


def test_appendix_counts_the_photos_of_each_item(db):
    _, agency, _ = agency_world(db)
    review = started_review(db, agency.id)
    with db.read() as s:
        data = load_review(s, review.id)
    first, second = [i.key for i in report_service.sources_for(db, data).checklist.items()][:2]
    for n, key in enumerate([first, first, second]):
        attachments.add_attachment(db, source=photo((n, 0, 0)), filename=f"{n}.jpg",
                                   review_id=review.id, item_key=key)  # fmt: skip
    text = flat(report_service.render_report(db, ReportKind.INSPECTION, review.id).pdf)
    assert text.count("2 photo(s) attached") == 1 and text.count("1 photo(s) attached") == 1


def test_planned_review_has_no_inspection_report(demo_db):
    review_id = _review_id(demo_db, ReviewKind.JEM_INSPECTION, "planned")
    available = {
        k: (ok, why) for k, ok, why in report_service.available_reports(demo_db, review_id)
    }
    assert available[ReportKind.INSPECTION] == (False, available[ReportKind.INSPECTION][1])
    assert "not started" in available[ReportKind.INSPECTION][1]
    with pytest.raises(report_service.Conflict, match="not started"):
        report_service.render_report(demo_db, ReportKind.INSPECTION, review_id)


def test_render_to_file_is_atomic_and_refuses_a_missing_folder(demo_db, tmp_path):
    review_id = _review_id(demo_db, ReviewKind.WSO_REVIEW, "in_progress")
    out = tmp_path / "out" / "r.pdf"
    with pytest.raises(report_service.Invalid, match="no such folder"):
        report_service.render_to_file(demo_db, ReportKind.INSPECTION, review_id, out)
    out.parent.mkdir()
    rendered = report_service.render_to_file(demo_db, ReportKind.INSPECTION, review_id, out)
    assert out.read_bytes() == rendered.pdf
    assert [p.name for p in out.parent.iterdir()] == ["r.pdf"]  # no temp file left behind


def _long_text_review(db):
    """A review holding absurdly long user text, as old or synced data may: a 3,000-character
    caption, 5,000-character file names, 20,000 characters without a space in a finding's
    description and evidence, a checklist note and an interviewer's note."""
    from inspector_app.services import findings, interviews, reviews

    review, _, gap = wso_world(db, ["José Núñez"])
    word = "x" * 19_990 + "-WORD-END"
    finding = findings.add_finding(db, review_id=review.id, kind="deficiency", topic="training",
                                   description=word, evidence=word, citation="c" * 3_000)  # fmt: skip
    photo_row = attachments.add_attachment(db, source=photo(), filename="p.jpg",
                                           finding_id=finding.id)  # fmt: skip
    missing = attachments.add_attachment(db, source=photo((9, 9, 9)), filename="m.jpg",
                                         finding_id=finding.id)  # fmt: skip
    document = attachments.add_attachment(db, source=b"%PDF-1.4", filename="d.pdf",
                                          finding_id=finding.id)  # fmt: skip
    blob_path(db.attachments_dir, missing.sha256).unlink()
    with db.engine.begin() as conn:  # past the service's input limits, as synced data may be
        from sqlalchemy import text

        caption = "A long caption. " * 187 + "CAPTION-END"  # 3,003 characters
        for a, name, cap in ((photo_row, "n" * 5_000 + ".jpg", caption),
                             (missing, "m" * 5_000 + ".jpg", "z" * 3_000),
                             (document, "d" * 5_000 + ".pdf", "")):  # fmt: skip
            conn.execute(text("UPDATE attachment SET filename = :f, caption = :c WHERE id = :id"),
                         {"f": name, "c": cap, "id": a.id})  # fmt: skip
    with db.read() as s:
        data = load_review(s, review.id)
    key = next(iter(report_service.sources_for(db, data).checklist.items())).key
    reviews.record_answer(db, review_id=review.id, item_key=key, value="no", note=word)
    (iv,) = data.interviews
    interviews.record_interview_answer(db, interview_id=iv.interview.id, question_key=gap.key,
                                       value="partial", note=word)  # fmt: skip
    return review


@pytest.mark.slow
def test_any_length_of_user_text_is_laid_out(db):
    review = _long_text_review(db)
    rendered = report_service.render_report(db, ReportKind.INSPECTION, review.id)
    _assert_numbered(rendered.pdf)
    text = flat(rendered.pdf)
    compact = re.sub(r"\s+", "", text)
    assert compact.count("-WORD-END") >= 4  # description, evidence, checklist and interview notes
    assert "CAPTION-END" in text  # the whole caption, after the photo grid
    assert "n" * 119 + "…" in compact and "n" * 121 not in compact  # names cut to 120
    assert "[imagemissing:" + "m" * 119 + "…]" in compact
    assert "Documentsattached:" + "d" * 119 + "…" in compact


def test_attachment_service_refuses_absurd_lengths(db):
    _, agency, _ = agency_world(db)
    review = started_review(db, agency.id)
    with pytest.raises(attachments.Invalid, match=r"caption: is 2,001 characters long"):
        attachments.add_attachment(db, source=photo(), filename="p.jpg", review_id=review.id,
                                   caption="c" * 2_001)  # fmt: skip
    with pytest.raises(attachments.Invalid, match=r"filename: n+…: the file name is 256 char"):
        attachments.add_attachment(db, source=photo(), filename="n" * 252 + ".jpg",
                                   review_id=review.id)  # fmt: skip
    with db.read() as s:
        assert load_review(s, review.id).attachments == []  # nothing half-written
    ok = attachments.add_attachment(db, source=photo(), filename="n" * 251 + ".jpg",
                                    review_id=review.id, caption="c" * 2_000)  # fmt: skip
    assert len(ok.filename) == 255 and len(ok.caption) == 2_000
