"""Issue 13, case files across laptops: instance numbers that do not collide, and the
order answer of a repeated section merged by sync instead of conflicting
(domain.forms.layout.next_instance / merge_orders / merge_order, domain.sync.merge_change)."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inspector_app.domain.forms.layout import (
    INSTANCE_DRAW,
    format_order,
    instance_key,
    merge_order,
    merge_orders,
    next_instance,
    order_problem,
    parse_order,
)
from inspector_app.domain.forms.schema import split_key
from inspector_app.domain.sync import Change, merge_change

SECTION = "case_documents"
ORDER = "case_documents[]"


# --- next_instance ------------------------------------------------------------------------


def test_a_new_instance_number_is_drawn_from_a_large_range_and_keys_stay_valid():
    n = next_instance(SECTION, {"case_documents[1].reference", "case_documents[2].reference"}, [1])
    assert INSTANCE_DRAW[0] <= n < INSTANCE_DRAW[1]
    key = instance_key("case_documents.i213_complete", SECTION, n)
    assert split_key(key) == ("case_documents.i213_complete", n)
    assert order_problem(format_order([1, 2, n])) is None
    assert parse_order(format_order([2, n, 1])) == [2, n, 1]  # old small numbers beside it


class _Scripted(random.Random):
    """Draws the given numbers in turn."""

    def __init__(self, draws: list[int]) -> None:
        super().__init__()
        self.draws = list(draws)

    def randrange(self, *_args: Any, **_kwargs: Any) -> int:  # type: ignore[override]
        return self.draws.pop(0)


def test_a_drawn_number_the_section_used_is_drawn_again():
    used = 5_000_000
    stored = {f"case_documents[{used}].reference", "case_documents[7000000].reference"}
    got = next_instance(SECTION, stored, [], rng=_Scripted([used, 7_000_000, 8_000_000]))
    assert got == 8_000_000  # the removed instance's number (answers kept) is never reused
    assert next_instance(SECTION, set(), [9_000_000], rng=_Scripted([9_000_000, 42])) == 42


def test_two_laptops_adding_a_case_file_to_the_same_review_get_different_numbers():
    stored = {"case_documents[1].reference"}
    a = next_instance(SECTION, stored, [1], rng=random.Random(1))
    b = next_instance(SECTION, stored, [1], rng=random.Random(2))
    assert a != b and 1 not in (a, b)


# --- merge_orders: examples ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "ours", "theirs", "merged"),
    [
        ([1], [1, 10], [1, 20], [1, 10, 20]),  # each side added a case file
        ([], [10], [20], [10, 20]),  # no base (both created the list)
        ([1, 2], [1, 2, 10], [1], [1, 10]),  # theirs removed 2, ours added 10
        ([1, 2], [2, 1], [1, 2, 20], [2, 1, 20]),  # ours moved, theirs added
        ([1, 2], [1, 2, 10], [2, 1], [2, 1, 10]),  # only theirs moved: their order
        ([1, 2, 3], [3, 1, 2], [2, 1, 3], [3, 1, 2]),  # both moved: ours
        ([1, 2], [1], [2], []),  # each removed one
        ([1, 2], [1, 2], [2, 1, 20], [2, 1, 20]),  # ours unchanged: theirs as it is
        ([1, 2], [1, 10, 2], [1, 2], [1, 10, 2]),  # theirs unchanged: ours as it is
        ([1], [1, 10, 11], [1, 20], [1, 10, 11, 20]),
    ],
)
def test_merge_orders_examples(base, ours, theirs, merged):
    assert merge_orders(base, ours, theirs) == merged


def test_merge_order_of_answers_and_what_it_refuses():
    assert merge_order("1", "1,10", "1,20") == "1,10,20"
    assert merge_order(None, None, "20") == "20"
    assert merge_order("1,2", "1", "2") is None  # nothing left: no answer
    assert merge_order("1", "", None) in ("", None)
    assert merge_order("garbage", "10", "20") == "10,20"  # a base that is no list: unknown
    with pytest.raises(ValueError, match="list of instance numbers"):
        merge_order("1", "1,x", "1,20")
    with pytest.raises(ValueError, match="twice"):
        merge_order("1", "1", "1,1")


# --- merge_orders: properties -------------------------------------------------------------

_numbers = st.integers(min_value=1, max_value=12)
_lists = st.lists(_numbers, unique=True, max_size=8)


@given(_lists, _lists, _lists)
def test_merge_keeps_additions_drops_removals_and_lists_each_instance_once(base, ours, theirs):
    merged = merge_orders(base, ours, theirs)
    assert len(set(merged)) == len(merged)
    assert order_problem(format_order(merged)) is None
    for n in set(ours) | set(theirs):
        if n not in base:  # added on a side: kept
            assert n in merged
    for n in set(base):
        kept_by_both = n in ours and n in theirs
        assert (n in merged) == kept_by_both  # removed on either side: removed
    assert set(merged) <= set(ours) | set(theirs)


@given(_lists, _lists, _lists)
def test_merge_is_the_same_set_whoever_receives_and_the_order_follows_a_side(base, ours, theirs):
    merged = merge_orders(base, ours, theirs)
    assert set(merged) == set(merge_orders(base, theirs, ours))
    # one side's surviving instances keep that side's relative order, the rest follow
    for first in (ours, theirs):
        head = [n for n in first if n in set(merged)]
        if merged[: len(head)] == head:
            second = theirs if first is ours else ours
            assert merged[len(head) :] == [n for n in second if n in set(merged[len(head) :])]
            break
    else:
        pytest.fail(f"{merged} follows neither side")


@given(_lists, _lists)
def test_a_side_that_did_not_change_the_list_gives_way(base, other):
    assert merge_orders(base, base, other) == other
    assert merge_orders(base, other, base) == other
    assert merge_orders(base, other, other) == other


@given(_lists, _lists, _lists)
def test_merging_again_changes_nothing(base, ours, theirs):
    merged = merge_orders(base, ours, theirs)
    assert merge_orders(base, merged, theirs) == merged  # the same change sent again
    assert merge_orders(base, merged, ours) == merged


# --- merge_change: the sync merge rule ----------------------------------------------------


def _row(value: str | None, key: str = ORDER) -> dict[str, Any]:
    return {"id": "r1", "review_id": "rv", "item_key": key, "value": value, "note": "",
            "answered_by": "Ann", "answered_at": "2025-03-01T10:00:00", "deleted": False}  # fmt: skip


def _change(value: str | None, base: str | None, *, base_rev: int = 1, key: str = ORDER,
            insert: bool = False) -> Change:  # fmt: skip
    if insert:
        fields, base_fields = {**_row(value, key), "answered_by": "Bob"}, {}
    else:
        fields = {"value": value, "answered_by": "Bob", "answered_at": "2025-03-01T11:00:00"}
        base_fields = {"value": base, "answered_by": "Ann", "answered_at": "2025-03-01T09:00:00"}
    return Change(change_id="c1", table="checklist_response", row_id="r1",
                  op="insert" if insert else "update", base_rev=0 if insert else base_rev,
                  fields=fields, base=base_fields, made_at=datetime.now(UTC), made_by="Bob")  # fmt: skip


WRITTEN_BY_A = {"value": ("laptop-a", 2), "answered_by": ("laptop-a", 2),
                "answered_at": ("laptop-a", 2)}  # fmt: skip


def test_on_the_server_two_laptops_adding_case_files_merge_without_a_conflict():
    current = _row(f"1,{10**6}")  # laptop A added 1000000 (rev 2)
    out = merge_change(current, 2, WRITTEN_BY_A, _change(f"1,{2 * 10**6}", "1"), "laptop-b")
    assert out.status == "merged" and out.conflicts == []
    assert out.set_fields["value"] == f"1,{10**6},{2 * 10**6}"
    assert out.set_fields["answered_by"] == "Bob"  # who answered follows the value


def test_both_laptops_creating_the_list_offline_merge_into_the_union():
    current = _row("1000000")  # A's insert, already on the server
    out = merge_change(current, 1, {"value": ("laptop-a", 1)},
                       _change("2000000", None, insert=True), "laptop-b")  # fmt: skip
    assert out.conflicts == [] and out.set_fields["value"] == "1000000,2000000"


def test_a_bundle_import_merges_the_list_too():
    current = _row("1,1000000")  # the importing laptop's own list (no writers known)
    out = merge_change(current, -1, {}, _change("1,2000000", "1"), "laptop-b")
    assert out.conflicts == [] and out.set_fields["value"] == "1,1000000,2000000"
    inserted = merge_change(current, -1, {}, _change("2000000", None, insert=True), "laptop-b")
    assert inserted.set_fields["value"] == "1,1000000,2000000"


def test_a_change_on_an_unchanged_list_applies_as_before():
    out = merge_change(_row("1"), 2, WRITTEN_BY_A, _change("1,2000000", "1"), "laptop-b")
    assert out.conflicts == [] and out.set_fields["value"] == "1,2000000"
    removed = merge_change(_row("1,2"), 2, WRITTEN_BY_A, _change("2", "1,2"), "laptop-b")
    assert removed.set_fields["value"] == "2"


def test_a_list_whose_merge_is_the_receivers_sets_nothing():
    # A removed 2 and B removed 2 and 3: 3 was listed on A only because A kept it
    out = merge_change(_row("1,3"), 2, WRITTEN_BY_A, _change("1", "1,2,3"), "laptop-b")
    assert out.conflicts == [] and out.set_fields["value"] == "1"
    same = merge_change(_row("1,3,9"), 2, WRITTEN_BY_A, _change("1,3", "1,2,3"), "laptop-b")
    assert same.conflicts == [] and "value" not in same.set_fields


def test_other_answers_and_final_reviews_still_conflict():
    item = "case_documents[1000000].i213_complete"
    out = merge_change(_row("yes", item), 2, WRITTEN_BY_A, _change("no", "na", key=item),
                       "laptop-b")  # fmt: skip
    assert [(c.field, c.reason) for c in out.conflicts] == [("value", "same field")]
    final = merge_change(_row("1,1000000"), 2, WRITTEN_BY_A, _change("1,2000000", "1"),
                         "laptop-b", review_is_final=True)  # fmt: skip
    assert [c.reason for c in final.conflicts] == ["final"]
    broken = merge_change(_row("1,1000000"), 2, WRITTEN_BY_A, _change("1,x", "1"), "laptop-b")
    assert [c.field for c in broken.conflicts] == ["value"]  # no list: the ordinary rule
