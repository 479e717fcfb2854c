"""The canonical serialization and hash that lock a finalized review."""

from __future__ import annotations

from datetime import date

import pytest

from inspector_app.domain import content_hash as ch

REVIEW = {"id": "r1", "kind": "jem_inspection", "start_date": date(2026, 5, 1),
          "team": ["Dana", "Inés"], "summary": "Tour and files", "revision": 0,
          "status": "final", "rev": 7, "updated_by": "someone"}  # fmt: skip
ANSWERS = [{"item_key": "b.x", "value": "yes", "note": ""},
           {"item_key": "a.y", "value": "no", "note": "poster missing"}]  # fmt: skip
FINDINGS = [{"id": "f2", "number": 2, "kind": "deficiency", "topic": "training",
             "description": "lapsed", "status": "open", "disputed": False},
            {"id": "f1", "number": 1, "kind": "area_of_concern", "topic": "complaints",
             "description": "English only"}]  # fmt: skip
ATTACHMENTS = [{"sha256": "ab" * 32, "filename": "poster.jpg", "finding_id": "f1"}]
INTERVIEWS = [({"id": "i1", "interviewee_name": "José Núñez", "completed": True},
               [{"question_key": "q2", "value": "partial"}, {"question_key": "q1", "value": "understood"}])]  # fmt: skip


def content(**over):
    parts = {"review": REVIEW, "answers": ANSWERS, "interviews": INTERVIEWS,
             "findings": FINDINGS, "attachments": ATTACHMENTS} | over  # fmt: skip
    return ch.review_content(**parts)


def test_hash_does_not_depend_on_row_order():
    a = ch.content_hash(content())
    b = ch.content_hash(content(answers=list(reversed(ANSWERS)),
                                findings=list(reversed(FINDINGS)),
                                interviews=[(INTERVIEWS[0][0], list(reversed(INTERVIEWS[0][1])))]))  # fmt: skip
    assert a == b and len(a) == 64


def test_canonical_json_is_compact_sorted_and_iso_dated():
    text = ch.canonical_json(content())
    assert '"start_date":"2026-05-01"' in text
    assert ", " not in text and ": " not in text
    assert "José Núñez" in text  # UTF-8, not escaped
    assert text.index('"answers"') < text.index('"attachments"') < text.index('"findings"')


def test_sync_fields_and_follow_up_fields_are_not_hashed():
    base = ch.content_hash(content())
    review = REVIEW | {"rev": 99, "updated_by": "sync", "status": "report_draft"}
    findings = [FINDINGS[0] | {"status": "resolved", "disputed": True, "dispute_note": "x",
                               "resolution": "fixed", "resolved_on": date(2027, 1, 1)},
                FINDINGS[1]]  # fmt: skip
    assert ch.content_hash(content(review=review, findings=findings)) == base


def test_every_content_change_changes_the_hash():
    base = ch.content_hash(content())
    variants = [
        content(review=REVIEW | {"summary": "Tour and files."}),
        content(review=REVIEW | {"revision": 1}),
        content(answers=[ANSWERS[0] | {"note": "x"}, ANSWERS[1]]),
        content(answers=ANSWERS[:1]),
        content(findings=[FINDINGS[0] | {"kind": "area_of_concern"}, FINDINGS[1]]),
        content(attachments=[ATTACHMENTS[0] | {"sha256": "cd" * 32}]),
        content(interviews=[(INTERVIEWS[0][0], INTERVIEWS[0][1][:1])]),
    ]
    hashes = {ch.content_hash(v) for v in variants}
    assert base not in hashes and len(hashes) == len(variants)


def test_part_hashes_name_what_changed():
    before = ch.part_hashes(content())
    after = ch.part_hashes(content(
        answers=[ANSWERS[0] | {"value": "no"}],
        findings=[FINDINGS[0] | {"description": "other"}, FINDINGS[1]],
    ))  # fmt: skip
    assert ch.diff_parts(before, after) == ["answer b.x changed", "finding F-2 changed",
                                            "answer a.y removed"]  # fmt: skip
    assert ch.diff_parts(before, before) == []


def test_version_2_hashes_attachment_captions():
    assert ch.HASH_VERSION == 2
    captioned = [ATTACHMENTS[0] | {"caption": "Processing area wall, day 1"}]
    recaptioned = [ATTACHMENTS[0] | {"caption": "Somewhere else"}]
    assert ch.content_hash(content(attachments=captioned)) != ch.content_hash(
        content(attachments=recaptioned)
    )
    before = ch.part_hashes(content(attachments=captioned))
    after = ch.part_hashes(content(attachments=recaptioned))
    assert ch.diff_parts(before, after) == ["attachment poster.jpg (abababab) changed"]


def test_version_1_rules_are_kept_for_old_final_reviews():
    captioned = [ATTACHMENTS[0] | {"caption": "Processing area wall, day 1"}]
    recaptioned = [ATTACHMENTS[0] | {"caption": "Somewhere else"}]
    v1 = ch.content_hash(content(attachments=captioned, version=1))
    # version 1 never covered captions, and its hash is not a version 2 hash
    assert v1 == ch.content_hash(content(attachments=recaptioned, version=1))
    assert v1 != ch.content_hash(content(attachments=captioned))
    assert (
        content(version=1)["version"] == 1 and "caption" not in content(version=1)["attachments"][0]
    )
    with pytest.raises(ValueError, match="unknown content hash version 3"):
        content(version=3)
