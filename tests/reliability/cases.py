"""A counter of hostile cases tried, shared by the reliability tests and their conftest."""

from __future__ import annotations

TRIED = {"cases": 0}


def count_case() -> None:
    TRIED["cases"] += 1
