"""History import under mangled files: a valid sample with fields replaced by odd strings,
lines cut short, random bytes, byte-order marks and mixed line endings. Whatever the file,
checking and importing raise nothing but HistoryImportError, every problem is one
`FILE:LINE: ...` line, the check and the import agree, and a refused file leaves the
database as it was. One database serves all examples, so files that do import build up
history and later examples exercise the re-import paths too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from inspector_app.services.history_import import (
    HistoryImportError,
    check_history,
    import_history,
)

SAMPLE = (Path(__file__).parents[1] / "data" / "history" / "hand_built.csv").read_text(
    encoding="utf-8"
)
ODD = [
    "", " ", '"', '""', '"unclosed', 'a"b', '"x" y', ",", "\n", "\r", "\r\n", "\t", "\x00",
    "\ufeff", "\u2028", "0000-01-01", "9999-12-31", "2023-02-30", "1995-12-31", "2099-12-31",
    "２０２３-０１-０５", "٢٠٢٣-٠١-٠٥", "2023-1-5", "-1", "=1+2", "ß", "İ", "ǅ", "x" * 131_073,
    "inspection", "focus_review", "I1", "I2", "FR1", "D1", "A1", "resolved", "unresolved",
    "JEM", "WSO", "GA", "deficiency", "best_practice", "training", "desk_review", "line",
    "review_ref",
]  # fmt: skip
DATES = ["0000-01-01", "9999-12-31", "2099-12-31", "1996-01-01", "2023-02-29", "2024-02-29",
         "２０２３-０１-０５", "2023-10-16", "2022-01-01", ""]  # fmt: skip
TABLES = ["agency", "review", "finding", "change_log", "audit_log"]

lines_of = SAMPLE.split("\n")
REFS = sorted({line.split(",")[0] for line in lines_of[1:] if line.startswith(("I", "FR"))})


@st.composite
def replace_field(draw: st.DrawFn) -> tuple:
    value = draw(st.one_of(st.sampled_from(ODD), st.text(max_size=12)))
    return ("field", draw(st.integers(0, len(lines_of) - 1)), draw(st.integers(0, 16)), value,
            draw(st.booleans()))  # fmt: skip


@st.composite
def replace_column(draw: st.DrawFn) -> tuple:
    """One column of every row of a review: the review's rows stay consistent, so the
    value reaches the checks (and the writing) behind the consistency check."""
    column = draw(st.one_of(st.sampled_from([5, 6, 7, 8, 13]), st.integers(0, 14)))
    pool = st.sampled_from(DATES) if column in (5, 6) else st.sampled_from(ODD)
    return (
        "column",
        draw(st.sampled_from(REFS)),
        column,
        draw(st.one_of(pool, st.text(max_size=8))),
    )


MUTATION = st.one_of(
    replace_field(),
    replace_column(),
    st.tuples(st.just("truncate"), st.integers(0, len(lines_of) - 1), st.floats(0, 1)),
    st.tuples(st.just("drop"), st.integers(0, len(lines_of) - 1)),
    st.tuples(st.just("repeat"), st.integers(0, len(lines_of) - 1)),
    st.tuples(st.just("bytes"), st.floats(0, 1), st.binary(min_size=1, max_size=6)),
    st.tuples(st.just("bom"), st.sampled_from([0.0, 0.0, 0.05, 0.5, 1.0])),
    st.tuples(st.just("endings"), st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=1)),
)


def quoted(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def mangle(mutations: list[tuple]) -> bytes:
    lines = list(lines_of)
    extra: list[tuple] = []
    endings = ["\n"]
    for m in mutations:
        kind, i = m[0], m[1]
        if kind in ("field", "truncate", "drop", "repeat") and i >= len(lines):  # after a drop
            continue
        if kind == "column":
            for n, line in enumerate(lines):
                fields = line.split(",")
                if fields[0] == i and m[2] < len(fields):
                    fields[m[2]] = m[3]
                    lines[n] = ",".join(fields)
        elif kind == "field":
            fields = lines[i].split(",")
            fields[min(m[2], len(fields) - 1)] = quoted(m[3]) if m[4] else m[3]
            lines[i] = ",".join(fields)
        elif kind == "truncate":
            lines[i] = lines[i][: int(len(lines[i]) * m[2])]
        elif kind == "drop":
            del lines[i]
        elif kind == "repeat":
            lines.insert(i, lines[i])
        elif kind == "endings":
            endings = m[1]
        else:
            extra.append(m)
    body = "".join(line + endings[n % len(endings)] for n, line in enumerate(lines))
    data = body.encode("utf-8")
    for m in extra:
        at = int(len(data) * m[1])
        data = data[:at] + (m[2] if m[0] == "bytes" else b"\xef\xbb\xbf") + data[at:]
    return data


def fingerprint(db) -> tuple:
    with db.read() as s:
        conn = s.connection()
        rows = tuple(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in TABLES)
        revs = conn.execute(text("SELECT sum(rev) FROM finding")).scalar()
    return rows, revs


@pytest.mark.slow
@settings(max_examples=120, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # fmt: skip
@given(mutations=st.lists(MUTATION, min_size=1, max_size=4))
# Files that once ended in a traceback or a wrong message, always tried first.
@example(mutations=[("column", "I2", 5, "0000-01-01")])  # year 0
@example(mutations=[("column", "I2", 5, "２０２３-０１-０５")])  # full-width digits
@example(mutations=[("column", "I1", 6, "9999-12-31")])  # its focus review due in year 10000
@example(mutations=[("column", "FR1", 5, "2023-10-01")])  # before the inspection it follows
@example(mutations=[("field", 3, 13, "x" * 10_000_000, True)])  # a 10 MB field
@example(mutations=[("field", 3, 13, '"unclosed', False)])  # a quote never closed
@example(mutations=[("field", 0, 3, "mo\ndel", True)])  # a line break in a column name
def test_mangled_files_are_refused_line_by_line_or_imported(db, tmp_path, mutations):
    path = tmp_path / "mangled.csv"
    path.write_bytes(mangle(mutations))
    one_line = re.compile(rf"{re.escape(str(path))}:[1-9][0-9]*: [^\r\n]*")
    checked = check_history(db, path)
    assert all(one_line.fullmatch(e) for e in checked.errors), checked.errors
    before = fingerprint(db)
    try:
        result = import_history(db, path)
    except HistoryImportError as exc:
        assert exc.errors and exc.errors == checked.errors
        assert fingerprint(db) == before
    else:
        assert checked.ok, checked.errors
        assert all(one_line.fullmatch(d) for d in result.differences), result.differences
        assert result.describe()
