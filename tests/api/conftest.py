"""The API tests' session summary: how many schemathesis cases ran (a figure CI reports)."""

from __future__ import annotations

import sys
from typing import Any


def pytest_terminal_summary(terminalreporter: Any) -> None:
    module = sys.modules.get("tests.api.test_schemathesis")
    cases = getattr(module, "CASES_RUN", None)
    if cases:
        terminalreporter.write_line(
            f"schemathesis: {sum(cases.values())} cases run on {len(cases)} operations"
        )
