"""Reading and checking a history CSV of earlier reviews and findings (pure pandas).

The import is all or nothing, so every row is checked before anything is written and
every problem is reported at once as `FILE:LINE: column: what is wrong` (LINE counts
the header as line 1). Checks are vectorised: 100,000 rows take well under a second.

A review with several findings takes several rows with its review columns repeated;
a focus-review row with a finding_ref judges that finding of the inspection it follows
up. Refs already imported earlier (`known`) are accepted as targets of follow-ups, so a
later file may hold only the focus reviews of an earlier one.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from itertools import accumulate
from pathlib import Path

import numpy as np
import pandas as pd

from inspector_app.domain.calendar import fiscal_year

COLUMNS = [
    "review_ref", "agency", "state", "model", "review_type", "start_date", "end_date", "mode",
    "follow_up_of", "finding_ref", "kind", "topic", "responsible", "description", "resolution",
]  # fmt: skip
REQUIRED = ["review_ref", "agency", "state", "model", "review_type", "start_date"]
REVIEW_COLUMNS = [
    "agency", "state", "model", "review_type", "start_date", "end_date", "mode", "follow_up_of",
]  # fmt: skip
FINDING_COLUMNS = ["review_ref", "kind", "topic", "responsible", "description"]

MODELS = ("JEM", "WSO")
REVIEW_TYPES = ("inspection", "focus_review")
MODES = ("site_visit", "desk_review")
KINDS = ("deficiency", "area_of_concern", "best_practice")
RESPONSIBLE = ("lea", "ice")
RESOLUTIONS = ("resolved", "unresolved")
INSPECTION_KIND = {"JEM": "jem_inspection", "WSO": "wso_review"}

_STATE = re.compile(r"[A-Z]{2}")
_STRIP = np.frompyfunc(str.strip, 1, 1)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # ASCII digits only (\d takes any script's)
# Dates a history can hold: 287(g) dates from 1996, and a focus review's due date (six
# months on) and the analytics' timestamps must stay computable.
FIRST_DAY, LAST_DAY = date(1996, 1, 1), date(2099, 12, 31)


@dataclass
class KnownHistory:
    """What earlier imports left in the database, keyed by the file's refs.

    reviews: review_ref, kind, agency_key, start_date and end (dates), mode,
    follow_up_of (the parent's ref or ""), id.
    findings: finding_ref, review_ref, kind, topic, responsible, description, id.
    """

    reviews: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            columns=["review_ref", "kind", "agency_key", "start_date", "end", "mode",
                     "follow_up_of", "id"]
        )
    )  # fmt: skip
    findings: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            columns=["finding_ref", "review_ref", "kind", "topic", "responsible", "description",
                     "id"]
        )
    )  # fmt: skip


@dataclass
class ParsedHistory:
    """The checked content of a file: one frame per thing to write, or the errors."""

    rows: int
    errors: list[str]
    reviews: pd.DataFrame  # one row per review_ref, first line order
    findings: pd.DataFrame  # one row per finding_ref declared on inspection rows
    resolutions: pd.DataFrame  # focus review_ref, finding_ref, resolution, line
    # Refs imported before whose other columns differ in the file: one line each, in the
    # FILE:LINE: column: form. Not errors: the import keeps the database's values.
    differences: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def agency_key(name: pd.Series, state: pd.Series) -> pd.Series:
    """How agencies are matched: the name without case and surrounding spaces, and the state."""
    # Computed once per distinct pair: a thousand agencies repeat over 100,000 rows.
    name_codes, names = pd.factorize(name.to_numpy(dtype=object))
    state_codes, states = pd.factorize(state.to_numpy(dtype=object))
    pair_codes, pairs = pd.factorize(name_codes * max(len(states), 1) + state_codes)
    keys = [f"{names[p // max(len(states), 1)].strip().casefold()}|"
            f"{states[p % max(len(states), 1)].strip().upper()}" for p in pairs.tolist()]  # fmt: skip
    return pd.Series(np.array(keys, dtype=object)[pair_codes], index=name.index, dtype=object)


def _is(df: pd.DataFrame, col: str, value: str = "") -> pd.Series:
    """Which rows hold `value` in `col` (compared on the object array: a third of the
    time of the Series comparison, and the checks make dozens)."""
    return pd.Series(df[col].to_numpy(dtype=object) == value, index=df.index)


def _per_distinct(values: pd.Series, fn: Callable[[str], object]) -> pd.Series:
    """fn of each value, called once per distinct value (coded columns repeat a few)."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object))
    done = np.array([fn(u) for u in uniques], dtype=object)[codes]
    return pd.Series(done, index=values.index, dtype=object)


class _Errors:
    def __init__(self, label: str, df: pd.DataFrame):
        self.label, self.df = label, df
        self.items: list[tuple[int, int, str, str]] = []

    def add(self, line: int, column: str, message: str) -> None:
        order = COLUMNS.index(column) if column in COLUMNS else -1
        self.items.append((line, order, column, message))

    def flag(self, mask: pd.Series, column: str, message: str | Callable[[str], str]
             ) -> None:  # fmt: skip
        """One error per row where `mask` is true; `message` may be a function of the value."""
        if not mask.any():
            return
        sub = (
            self.df.loc[mask, ["line", column]]
            if column in self.df
            else self.df.loc[mask, ["line"]]
        )
        values = sub[column] if column in sub else [""] * len(sub)
        for line, value in zip(sub["line"], values, strict=True):
            self.add(int(line), column, message(value) if callable(message) else message)

    def lines(self) -> list[str]:
        return [f"{self.label}:{line}: {col}: {msg}" for line, _o, col, msg in sorted(self.items)]


def _read(path: Path) -> tuple[list[str], pd.DataFrame, list[str]]:
    """The header, the records with their starting line numbers, and reading problems."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return [], pd.DataFrame(), [f"{path}:{line}: -: not UTF-8 text; save the file as UTF-8 CSV"]
    # strict: a quote left open or text after a closing quote is an error, not a field
    # that silently swallows the rows after it.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        return [], pd.DataFrame(), [f"{path}:1: -: the file is empty; expected a header row"]
    except csv.Error as exc:
        return [], pd.DataFrame(), [_reader_problem(path, text, exc, 1, reader.line_num)]
    width = len(header)
    first = reader.line_num + 1
    read: list[list[str]] = []
    failure = []
    try:
        read.extend(reader)  # at C speed; on an error the records before it are kept
    except csv.Error as exc:
        starts = _start_lines(read + [[]], first, -1)  # where the failing record starts
        failure.append(_reader_problem(path, text, exc, starts[-1], reader.line_num))
    starts = _start_lines(read, first, reader.line_num - first + 1)
    problems = _fix_widths(path, read, starts, width)
    # Every value stripped in one ufunc pass over a 2-D object array (twice as fast as
    # mapping str.strip column by column).
    cells = _STRIP(np.array(read, dtype=object).reshape(len(read), width))
    keep = _not_blank(list(cells.T))  # blank lines are allowed and ignored
    lines = np.array(starts, dtype=np.int64)
    if keep is not None:
        cells, lines = cells[keep], lines[keep]
    # A repeated column name (reported by the caller): the first.
    names = [name for name in dict.fromkeys(header) if name != "line"]
    # The frame's one block of plain object columns (pandas' str dtype is slow to
    # iterate), laid out column by column in one copy: each column contiguous.
    by_column = cells.T[[header.index(name) for name in names]] if names != header else cells.T
    frame = pd.DataFrame(np.ascontiguousarray(by_column).T, columns=names, dtype=object, copy=False)
    frame.insert(0, "line", lines)
    return header, frame, problems + failure


def _fix_widths(path: Path, read: list[list[str]], starts: list[int], width: int
                ) -> list[str]:  # fmt: skip
    """Pad or cut records to the header's width, in place; extra non-blank fields are
    reported. Few records are off, so only those are visited."""
    problems: list[str] = []
    widths = np.fromiter(map(len, read), dtype=np.int64, count=len(read))
    for i in np.flatnonzero(widths != width).tolist():
        rec = read[i]
        if any(c.strip() for c in rec[width:]):
            problems.append(f"{path}:{starts[i]}: -: {len(rec)} fields but the header has {width}; "
                            "quote values that contain commas")  # fmt: skip
        read[i] = rec[:width] + [""] * (width - len(rec))
    return problems


def _not_blank(columns: list[np.ndarray]) -> np.ndarray | None:
    """Which rows have a value in some column (None: all of them); each column narrows
    the rows still empty, so the search is over in a column or two."""
    if not columns or not len(columns[0]):
        return None
    blank = np.arange(len(columns[0]))
    for col in columns:
        blank = blank[col[blank] == ""]
        if not len(blank):
            return None
    keep = np.ones(len(columns[0]), dtype=bool)
    keep[blank] = False
    return keep


_QUOTED = re.compile(r'"[^"]*(?:""[^"]*)*"')  # a quoted field, closed
_FIELD_END = re.compile(r"[,\r\n]")
_BREAK = re.compile(r"\r\n|\r|\n")


def _reader_problem(path: Path, text: str, exc: csv.Error, start: int, line: int) -> str:
    """The csv module's error as one line naming where to look: `start` is the line
    the failing record starts on, `line` the line the reader had reached."""
    message = str(exc)
    if "field limit" in message:
        return (f"{path}:{start}: -: a field longer than {csv.field_size_limit()} characters; "
                "shorten it, or close the quote that runs on from it")  # fmt: skip
    if "unexpected end of data" in message:
        opened = _open_quote_line(text, start)
        return (f"{path}:{opened}: -: a quoted field starts on this line and is never "
                'closed; add the closing quote (")')  # fmt: skip
    if "expected after" in message:
        return (f"{path}:{line}: -: text after the closing quote of a quoted field; put the "
                'whole value in quotes and double the quotes inside it ("")')  # fmt: skip
    return f"{path}:{line}: -: {message}"


def _open_quote_line(text: str, start: int) -> int:
    """The line of the quote that opens the unclosed field of the record on line `start`
    (only read when a file ends inside a quoted field)."""
    pos = 0
    for _ in range(start - 1):  # the offset of line `start`, as the reader counts lines
        m = _BREAK.search(text, pos)
        if m is None:
            return start
        pos = m.end()
    base = pos
    while pos < len(text):
        if text[pos] == '"':  # a quote opening a field
            closed = _QUOTED.match(text, pos)
            if closed is None:
                return start + len(_BREAK.findall(text, base, pos))
            pos = closed.end()
        end = _FIELD_END.search(text, pos)
        if end is None:
            break
        pos = end.end()
    return start


def _start_lines(records: list[list[str]], first: int, lines_read: int) -> list[int]:
    """The line each record starts on: one line per record (an empty line is a record
    too), plus the line breaks inside quoted fields, counted as the reader counts them.
    `lines_read` is how many lines the records took (-1 when not known)."""
    if not records or lines_read == len(records):  # no record spans more than one line
        return list(range(first, first + len(records)))
    spans = [1 + sum(f.count("\n") + f.count("\r") - f.count("\r\n") for f in rec)
             for rec in records]  # fmt: skip
    return list(accumulate(spans[:-1], initial=first))


def _empty_result(rows: int, errors: list[str]) -> ParsedHistory:
    return ParsedHistory(rows, errors, pd.DataFrame(), pd.DataFrame(), pd.DataFrame())


def parse_history(path: Path | str, topics: list[str] | set[str],
                  known: KnownHistory | None = None) -> ParsedHistory:  # fmt: skip
    """Read and check a history CSV. `topics` are the valid topic codes."""
    path = Path(path)
    known = known or KnownHistory()
    header, df, problems = _read(path)
    if not header:
        return _empty_result(0, problems)
    label = str(path)
    errs = _Errors(label, df)
    if not _check_header(errs, header, df, problems):
        return _empty_result(len(df), problems + errs.lines())
    _normalise(df)
    _check_review_columns(errs, df)

    focus = _is(df, "review_type", "focus_review")
    inspection = _is(df, "review_type", "inspection")
    has_finding = ~_is(df, "finding_ref")
    _check_finding_columns(errs, df, topics, focus, inspection, has_finding)

    _check_review_consistency(errs, df)
    _check_finding_consistency(errs, df, inspection & has_finding)
    df["agency_key"] = agency_key(df["agency"], df["state"])
    reviews = df.drop_duplicates("review_ref").copy()
    _check_follow_ups(errs, df, reviews, focus, has_finding, known)
    _check_known(errs, df, reviews, inspection & has_finding, known)

    if errs.items or problems:
        return _empty_result(len(df), problems + errs.lines())
    result = _result(df, reviews, inspection & has_finding, focus & has_finding)
    result.differences = _differences(label, df, reviews, inspection & has_finding, known,
                                      set(header))  # fmt: skip
    return result


def _check_header(errs: _Errors, header: list[str], df: pd.DataFrame,
                  problems: list[str]) -> bool:  # fmt: skip
    """Check the header row (and that data rows follow); False if the rows can't be read."""
    for col in header:
        if col not in COLUMNS:
            errs.add(1, col if col.isprintable() else repr(col),  # a stray BOM, a break
                     f"unknown column; expected some of {', '.join(COLUMNS)}")  # fmt: skip
    missing = [c for c in REQUIRED if c not in header]
    for col in missing:
        errs.add(1, col, "required column missing from the header row")
    if len(set(header)) != len(header):
        errs.add(1, "-", "a column name appears twice in the header row")
    if missing or errs.items or df.empty:
        if df.empty and not missing and not errs.items and not problems:
            errs.add(1, "-", "no data rows after the header")
        return False
    return True


def _normalise(df: pd.DataFrame) -> None:
    """Add the optional columns left out and case-fold the coded ones, in place."""
    for col in COLUMNS:
        if col not in df:
            df[col] = ""
    # Plain object columns (pandas' string dtype is several times slower here); the
    # str methods mapped directly, without the .str accessor's per-value checks.
    for col in ("state", "model"):
        df[col] = _per_distinct(df[col], str.upper)
    for col in ("review_type", "mode", "kind", "responsible", "resolution"):
        df[col] = _per_distinct(df[col], str.lower)


def _check_review_columns(errs: _Errors, df: pd.DataFrame) -> None:
    """Required values, codes and dates; adds the start_day and end_day columns."""
    for col in REQUIRED:
        errs.flag(_is(df, col), col, "is required")
    state_code = _per_distinct(df["state"], lambda s: bool(_STATE.fullmatch(s)))
    errs.flag(~_is(df, "state") & ~state_code.astype(bool), "state",
              lambda v: f"{v!r} is not a two-letter state code")  # fmt: skip
    _check_choice(errs, df, "model", MODELS)
    _check_choice(errs, df, "review_type", REVIEW_TYPES)
    _check_choice(errs, df, "mode", MODES, allow_empty=True)

    starts = _dates(errs, df, "start_date")
    ends = _dates(errs, df, "end_date")
    errs.flag(ends.notna() & starts.notna() & (ends < starts), "end_date",
              lambda v: f"{v} is before the start_date")  # fmt: skip
    df["start_day"], df["end_day"] = starts, ends.fillna(starts)  # day numbers, NaN if wrong


def _check_finding_columns(errs: _Errors, df: pd.DataFrame, topics: list[str] | set[str],
                           focus: pd.Series, inspection: pd.Series,
                           has_finding: pd.Series) -> None:  # fmt: skip
    """follow_up_of and the finding columns, which depend on the row's review type."""
    errs.flag(focus & _is(df, "follow_up_of"), "follow_up_of",
              "is required on focus_review rows (the review_ref of the inspection followed up)")  # fmt: skip
    errs.flag(inspection & ~_is(df, "follow_up_of"), "follow_up_of",
              "only focus_review rows follow up an inspection; leave it empty")  # fmt: skip
    for col, allowed in (("kind", KINDS), ("responsible", RESPONSIBLE)):
        errs.flag(inspection & has_finding & _is(df, col), col, "is required on a finding row")
        _check_choice(errs, df, col, allowed, allow_empty=True)
    errs.flag(inspection & has_finding & _is(df, "topic"), "topic", "is required on a finding row")
    topic_set = set(topics)
    errs.flag(~_is(df, "topic") & ~df["topic"].isin(topic_set), "topic",
              lambda v: f"{v!r} is not a topic code (see forms/topics.yaml)")  # fmt: skip
    errs.flag(focus & has_finding & _is(df, "resolution"), "resolution",
              "is required on a focus_review row with a finding_ref (resolved or unresolved)")  # fmt: skip
    _check_choice(errs, df, "resolution", RESOLUTIONS, allow_empty=True)
    errs.flag(inspection & ~_is(df, "resolution"), "resolution",
              "only focus_review rows judge a finding; leave it empty")  # fmt: skip
    blank = _is(df, "kind") & _is(df, "topic") & _is(df, "responsible") & _is(df, "resolution")
    stray = ~has_finding & ~blank
    errs.flag(
        stray, "finding_ref", "is empty but the row has finding columns; give the finding's id"
    )


def _check_choice(errs: _Errors, df: pd.DataFrame, col: str, allowed: tuple[str, ...],
                  *, allow_empty: bool = False) -> None:  # fmt: skip
    bad = ~df[col].isin(allowed)
    bad &= ~_is(df, col)  # an empty required value is reported once, as "is required"
    errs.flag(bad, col, lambda v: f"{v!r} is not one of {', '.join(allowed)}")


def _dates(errs: _Errors, df: pd.DataFrame, col: str) -> pd.Series:
    """The column as day numbers (date.toordinal; NaN where empty or wrong). A few
    thousand distinct days repeat over 100,000 rows: each distinct text is checked once."""
    text = df[col]
    codes, uniques = pd.factorize(text.to_numpy(dtype=object))
    checked = [_day(value) for value in uniques]
    problems = {value: problem for value, (_d, problem) in zip(uniques, checked, strict=True)
                if problem}  # fmt: skip
    if problems:
        errs.flag(text.isin(problems.keys()), col, problems.__getitem__)
    days = np.array([day for day, _p in checked], dtype=float)
    return pd.Series(days[codes] if len(codes) else days[:0], index=text.index, dtype=float)


def _day(text: str) -> tuple[float, str]:
    """One text's day number (NaN if empty or wrong) and what is wrong with it ("" if
    nothing): YYYY-MM-DD in ASCII digits, a real day, within FIRST_DAY..LAST_DAY."""
    if not text:
        return np.nan, ""
    if not _DATE.fullmatch(text):
        if _DATE.fullmatch(unicodedata.normalize("NFKC", text)):  # e.g. full-width digits
            return np.nan, f"{text!r} is not a date (YYYY-MM-DD): type it with the digits 0-9"
        return np.nan, f"{text!r} is not a date (YYYY-MM-DD)"
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return np.nan, f"{text!r} is not a date (YYYY-MM-DD)"
    if not FIRST_DAY <= day <= LAST_DAY:
        return np.nan, (f"{text!r} is outside {FIRST_DAY} to {LAST_DAY}; check the year "
                        "(287(g) began in 1996)")  # fmt: skip
    return float(day.toordinal()), ""


def _first_of(keys: pd.Series) -> np.ndarray:
    """For each row, the position of the first row with the same key (plain numpy
    positions: comparing object columns with numpy is several times faster)."""
    codes, _uniques = pd.factorize(keys)
    _codes, first = np.unique(codes, return_index=True)
    return first[codes]


def _check_review_consistency(errs: _Errors, df: pd.DataFrame) -> None:
    """The review columns repeated on each row of one review must agree with its first row."""
    keyed = df[~_is(df, "review_ref")]
    if keyed.empty:
        return
    first = _first_of(keyed["review_ref"])
    lines, refs = keyed["line"].to_numpy(), keyed["review_ref"].to_numpy()
    for col in REVIEW_COLUMNS:
        values = keyed[col].to_numpy()
        for i in np.flatnonzero(values != values[first]):
            errs.add(int(lines[i]), col,
                     f"{values[i]!r} differs from {values[first[i]]!r} on line "
                     f"{lines[first[i]]} for review_ref {refs[i]!r}")  # fmt: skip


def _check_finding_consistency(errs: _Errors, df: pd.DataFrame, declares: pd.Series) -> None:
    """A finding_ref declared twice must carry the same content (a repeat is harmless)."""
    rows = df[declares]
    if rows.empty:
        return
    first = _first_of(rows["finding_ref"])
    values = rows[FINDING_COLUMNS].to_numpy()
    differs = values != values[first]
    lines, refs = rows["line"].to_numpy(), rows["finding_ref"].to_numpy()
    for i in np.flatnonzero(differs.any(axis=1)):
        cols = [c for c, d in zip(FINDING_COLUMNS, differs[i], strict=True) if d]
        errs.add(int(lines[i]), "finding_ref",
                 f"{refs[i]!r} is a duplicate of line {lines[first[i]]} "
                 f"with different content ({', '.join(cols)})")  # fmt: skip


def _check_follow_ups(
    errs: _Errors,
    df: pd.DataFrame,
    reviews: pd.DataFrame,
    focus: pd.Series,
    has_finding: pd.Series,
    known: KnownHistory,
) -> None:
    """Each focus review follows up a known inspection of the same agency and judges only
    that inspection's findings, once. Vectorised: a file may hold tens of thousands."""
    target = _targets(reviews, known).reindex(df["follow_up_of"].to_numpy(dtype=object))
    ttype = pd.Series(target["type"].to_numpy(dtype=object), index=df.index, dtype=object)
    tagency = pd.Series(target["agency"].to_numpy(dtype=object), index=df.index, dtype=object)
    rows = focus & ~_is(df, "follow_up_of")
    errs.flag(rows & ttype.isna(), "follow_up_of",
              lambda v: f"no inspection with review_ref {v!r} in this file or imported before")  # fmt: skip
    errs.flag(rows & (ttype == "focus_review"), "follow_up_of",
              lambda v: f"{v!r} is a focus review, not an inspection")  # fmt: skip
    errs.flag(rows & (ttype == "inspection") & (tagency != df["agency_key"]), "follow_up_of",
              lambda v: f"inspection {v!r} is of another agency")  # fmt: skip
    ended = pd.Series(target["end"].to_numpy(dtype=float), index=df.index, dtype=float)
    _check_focus_after(errs, df, reviews, rows & (ttype == "inspection"), ended)
    _check_judged_findings(errs, df, focus, has_finding, known)
    _check_same_judgement(errs, df.loc[focus & has_finding])


def _check_judged_findings(errs: _Errors, df: pd.DataFrame, focus: pd.Series,
                           has_finding: pd.Series, known: KnownHistory) -> None:  # fmt: skip
    """A focus review judges only findings of the inspection it follows up."""
    # Which inspection each finding belongs to, from this file first, then earlier imports.
    declared = df.loc[_is(df, "review_type", "inspection") & has_finding,
                      ["review_ref", "finding_ref"]]  # fmt: skip
    owner = pd.concat([
        pd.Series(known.findings["review_ref"].values, index=known.findings["finding_ref"].values,
                  dtype=object),
        pd.Series(declared["review_ref"].values, index=declared["finding_ref"].values, dtype=object),
    ])  # fmt: skip
    owner = owner[~owner.index.duplicated(keep="last")]
    judged = df.loc[focus & has_finding & ~_is(df, "follow_up_of"),
                    ["line", "finding_ref", "follow_up_of"]]  # fmt: skip
    owners = judged["finding_ref"].map(owner)
    wrong = owners != judged["follow_up_of"]
    for line, ref, target, who in zip(judged["line"][wrong], judged["finding_ref"][wrong],
                                      judged["follow_up_of"][wrong], owners[wrong], strict=True):  # fmt: skip
        where = f"of inspection {who!r}" if isinstance(who, str) else "declared nowhere"
        errs.add(int(line), "finding_ref",
                 f"{ref!r} is not a finding of inspection {target!r} ({where})")  # fmt: skip


def _check_same_judgement(errs: _Errors, pairs: pd.DataFrame) -> None:
    """A focus review judging one finding on several rows must judge it the same way."""
    if pairs.empty:
        return
    reviews, _r = pd.factorize(pairs["review_ref"].to_numpy(dtype=object))
    findings, found = pd.factorize(pairs["finding_ref"].to_numpy(dtype=object))
    first = _first_of(pd.Series(reviews.astype(np.int64) * len(found) + findings))
    resolution, lines = pairs["resolution"].to_numpy(dtype=object), pairs["line"].to_numpy()
    for i in np.flatnonzero(resolution != resolution[first]).tolist():
        errs.add(int(lines[i]), "resolution",
                 f"differs from line {lines[first[i]]} for the same focus review and finding")  # fmt: skip


def _targets(reviews: pd.DataFrame, known: KnownHistory) -> pd.DataFrame:
    """What a focus review can follow up, by review_ref: type, agency_key and last day
    (a day number). The file wins over earlier imports for a ref in both (checked
    separately). One frame, so each row's target is looked up once."""
    known_type = ["focus_review" if k == "focus_review" else "inspection"
                  for k in known.reviews["kind"]]  # fmt: skip
    known_end = [(e or s).toordinal() if (e or s) else np.nan
                 for s, e in zip(known.reviews["start_date"], known.reviews["end"], strict=True)]  # fmt: skip
    refs = [*known.reviews["review_ref"].tolist(), *reviews["review_ref"].tolist()]
    both = pd.DataFrame({
        "type": pd.Series([*known_type, *reviews["review_type"].tolist()], dtype=object),
        "agency": pd.Series([*known.reviews["agency_key"].tolist(),
                             *reviews["agency_key"].tolist()], dtype=object),  # fmt: skip
        "end": pd.Series([*known_end, *reviews["end_day"].tolist()], dtype=float),
    })  # fmt: skip
    both.index = pd.Index(refs, dtype=object)
    return both[~both.index.duplicated(keep="last")]


def _check_focus_after(errs: _Errors, df: pd.DataFrame, reviews: pd.DataFrame,
                       follows: pd.Series, ended: pd.Series) -> None:  # fmt: skip
    """A focus review starts on or after the last day of the inspection it follows
    (`ended`, a day number per row; reported once per focus review, on its first line)."""
    early = follows & df.index.isin(reviews.index) & (df["start_day"] < ended)
    for idx in df.index[early]:
        target = df["follow_up_of"].loc[idx]
        last = date.fromordinal(int(ended[idx]))
        errs.add(int(df["line"].loc[idx]), "start_date",
                 f"a focus review cannot be before the inspection it follows ({target!r} "
                 f"ended {last}; this one starts {df['start_date'].loc[idx]})")  # fmt: skip


def _check_known(errs: _Errors, df: pd.DataFrame, reviews: pd.DataFrame, declares: pd.Series,
                 known: KnownHistory) -> None:  # fmt: skip
    """A ref imported before must describe the same review or finding as it did then.

    Compared with merges, not row by row: re-importing a 100,000-row file must stay fast.
    """
    if not known.reviews.empty:
        prior = known.reviews[["review_ref", "kind", "agency_key", "start_date"]].astype(
            {"start_date": str}
        ).rename(columns={"kind": "kind_before", "agency_key": "agency_before",
                          "start_date": "start_before"})  # fmt: skip
        mine = reviews[["line", "review_ref", "model", "review_type", "agency_key", "start_date"]]
        m = mine.merge(prior, on="review_ref", how="inner")
        if len(m):
            kind = m["model"].map(INSPECTION_KIND).where(m["review_type"] == "inspection",
                                                         "focus_review")  # fmt: skip
            bad = ((m["kind_before"] != kind) | (m["agency_key"] != m["agency_before"])
                   | (m["start_date"] != m["start_before"]))  # fmt: skip
            for idx in m.index[bad]:
                row = m.loc[idx]
                diffs = []
                if row["kind_before"] != kind[idx]:
                    diffs.append(f"kind {row['kind_before']}")
                if row["agency_key"] != row["agency_before"]:
                    diffs.append("another agency")
                if row["start_date"] != row["start_before"]:
                    diffs.append(f"start_date {row['start_before']}")
                errs.add(int(row["line"]), "review_ref",
                         f"{row['review_ref']!r} was imported before with {', '.join(diffs)}; "
                         "correct the file or use a new review_ref")  # fmt: skip
    if not known.findings.empty:
        cols = ["review_ref", "kind", "topic", "responsible"]
        prior = known.findings[["finding_ref", *cols]].fillna("")
        rows = df[declares].drop_duplicates("finding_ref")[["line", "finding_ref", *cols]]
        m = rows.merge(prior, on="finding_ref", how="inner", suffixes=("", "_before"))
        if len(m):
            differs = pd.concat([m[c] != m[f"{c}_before"] for c in cols], axis=1)
            differs.columns = cols
            for idx in m.index[differs.any(axis=1)]:
                which = [c for c in cols if differs.at[idx, c]]
                errs.add(int(m["line"].loc[idx]), "finding_ref",
                         f"{m['finding_ref'].loc[idx]!r} was imported before with different "
                         f"{', '.join(which)}; correct the file or use a new finding_ref")  # fmt: skip


def _differences(label: str, df: pd.DataFrame, reviews: pd.DataFrame, declares: pd.Series,
                 known: KnownHistory, present: set[str]) -> list[str]:  # fmt: skip
    """Refs imported before whose other columns (the ones the file has) differ from the
    database: end_date, mode and follow_up_of of a review, the description of a finding.
    (A different kind, agency, start_date, topic or owner means another review or
    finding: _check_known refuses those.) Compared with merges, like _check_known."""
    found: list[tuple[int, int, str, str]] = []

    def note(m: pd.DataFrame, col: str, ref: str, mine: pd.Series, before: pd.Series) -> None:
        if col not in present:
            return  # the file says nothing about this column
        for line, key, new, old in zip(m["line"][mine != before], m[ref][mine != before],
                                       mine[mine != before], before[mine != before], strict=True):  # fmt: skip
            found.append((int(line), COLUMNS.index(col), col,
                          f"{ref} {key!r} has {_shown(old)} in the database, {_shown(new)} in "
                          "the file; not applied"))  # fmt: skip

    if not known.reviews.empty:
        prior = known.reviews[["review_ref", "start_date", "end", "mode", "follow_up_of"]]
        mine = reviews[["line", "review_ref", "start_date", "end_date", "mode", "follow_up_of"]]
        m = mine.merge(prior, on="review_ref", how="inner", suffixes=("", "_db"))
        if len(m):
            iso = {d: d.isoformat() for d in {*m["start_date_db"], *m["end"]} if d}
            db_end = [
                iso.get(e or s, "") for s, e in zip(m["start_date_db"], m["end"], strict=True)
            ]
            file_end = m["end_date"].where(m["end_date"] != "", m["start_date"])
            note(m, "end_date", "review_ref", file_end, pd.Series(db_end, index=m.index))
            note(m, "mode", "review_ref", m["mode"].replace("", "site_visit"), m["mode_db"])
            note(
                m, "follow_up_of", "review_ref", m["follow_up_of"], m["follow_up_of_db"].fillna("")
            )
    if not known.findings.empty:
        rows = df[declares].drop_duplicates("finding_ref")[["line", "finding_ref", "description"]]
        prior = known.findings[["finding_ref", "description"]]
        m = rows.merge(prior, on="finding_ref", how="inner", suffixes=("", "_db"))
        if len(m):
            note(m, "description", "finding_ref", m["description"],
                 m["description_db"].fillna(""))  # fmt: skip
    return [f"{label}:{line}: {col}: {msg}" for line, _o, col, msg in sorted(found)]


def _shown(value: str, limit: int = 60) -> str:
    """A value quoted for a message, long texts cut short."""
    if not value:
        return "nothing"
    return repr(value if len(value) <= limit else value[: limit - 1] + "…")


def _result(df: pd.DataFrame, reviews: pd.DataFrame, declares: pd.Series, judges: pd.Series
            ) -> ParsedHistory:  # fmt: skip
    idx = reviews.index
    # Plain dates from the checked text, each distinct day parsed once (no Timestamps
    # reach the database); an empty end_date is the start date.
    # (plain lists: a Python loop over a pandas 3 string array fetches value by value)
    starts = reviews["start_date"].tolist()
    ends = reviews["end_date"].where(reviews["end_date"] != "", reviews["start_date"]).tolist()
    day = {t: date.fromisoformat(t) for t in {*starts, *ends}}
    start, end = [day[t] for t in starts], [day[t] for t in ends]
    reviews = reviews.assign(start=pd.Series(start, index=idx, dtype=object),
                             end=pd.Series(end, index=idx, dtype=object))  # fmt: skip
    years = {d: fiscal_year(d) for d in set(start)}
    reviews["fiscal_year"] = [years[d] for d in start]
    reviews["kind"] = [
        INSPECTION_KIND[m] if t == "inspection" else "focus_review"
        for m, t in zip(reviews["model"].tolist(), reviews["review_type"].tolist(), strict=True)
    ]
    reviews = reviews[["line", "review_ref", "agency", "state", "agency_key", "model",
                       "review_type", "kind", "start", "end", "fiscal_year", "mode",
                       "follow_up_of"]].reset_index(drop=True)  # fmt: skip
    findings = df.loc[declares, ["line", "finding_ref", "review_ref", "kind", "topic",
                                 "responsible", "description"]]  # fmt: skip
    findings = findings.drop_duplicates("finding_ref").reset_index(drop=True)
    resolutions = df.loc[judges, ["line", "review_ref", "finding_ref", "resolution"]]
    resolutions = resolutions.drop_duplicates(["review_ref", "finding_ref"])
    return ParsedHistory(len(df), [], reviews, findings, resolutions.reset_index(drop=True))
