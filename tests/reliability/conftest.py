"""Prints how many hostile cases the reliability tests tried, at the end of the run."""

from __future__ import annotations

import pytest

from tests.reliability.cases import TRIED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if TRIED["cases"]:
        terminalreporter.write_line(
            f"reliability: {TRIED['cases']} hostile CLI cases tried "
            "(bad files, bad arguments, bad CSVs, a full disk)"
        )
