"""The check behind the hotline's hook tests (test_insights_hook.py, test_telephony_hook.py):
an optional app is reached through one hook module of the hotline, and no other module of
the hotline imports it."""

from __future__ import annotations

import ast
from pathlib import Path


def imports_of(path: Path, package: str) -> list[int]:
    """The lines of `path` that import `package` (or a module inside it)."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        else:
            continue
        if any(n == package or n.startswith(f"{package}.") for n in names):
            lines.append(node.lineno)
    return lines


def importers_besides(hook: Path, package: str) -> dict[str, list[int]]:
    """The hotline's modules other than `hook` (tests aside) that import `package`."""
    hotline = hook.parent
    return {
        str(path.relative_to(hotline)): lines
        for path in sorted(hotline.rglob("*.py"))
        if "tests" not in path.relative_to(hotline).parts
        and path != hook
        and (lines := imports_of(path, package))
    }
