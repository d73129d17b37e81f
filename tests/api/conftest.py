"""The API tests' session summary: how many schemathesis cases ran (a figure CI reports)."""

from __future__ import annotations

from typing import Any


def pytest_terminal_summary(terminalreporter: Any) -> None:
    from tests.api.test_schemathesis import CASES_RUN

    if CASES_RUN:
        terminalreporter.write_line(
            f"schemathesis: {sum(CASES_RUN.values())} cases run on {len(CASES_RUN)} operations"
        )
