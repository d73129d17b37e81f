"""The analytics app's modules import one way only (docs/analytics.md, "How the report flows"):

    store, schema, engines, periods, history, export   the data and its shapes
    ← pipelines/   data → figures, engine-specific (Ibis)
    ← report/      figures → narrative and documents
    ← services, selectors
    ← tasks, views, urls, admin, management/commands

Read from the source with `ast` (every import, also those inside functions and under
TYPE_CHECKING), so that a new import against the flow fails here rather than in a review."""

from __future__ import annotations

import ast
from pathlib import Path

import hongmian.analytics

PACKAGE = "hongmian.analytics"
ROOT = Path(hongmian.analytics.__file__).parent

# The layer of each top-level module or package of the app; anything not named is the base.
LAYERS = {
    "pipelines": 1,
    "report": 2,
    "services": 3,
    "selectors": 3,
    "tasks": 4,
    "views": 4,
    "urls": 4,
    "admin": 4,
    "management": 4,
}
# Imports against the flow that are allowed, each inside a function only: a service
# enqueues the schedule's own job (services.report_request → tasks).
AGAINST_THE_FLOW = {("services", "tasks")}


def _sources() -> dict[str, Path]:
    """Module name → file, for the app's code (not its tests or migrations)."""
    out = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[0] in ("tests", "migrations"):
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join((PACKAGE, *parts))] = path
    return out


SOURCES = _sources()


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(imported module of this app, imported at module level?) for every import in `path`."""
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    top_level = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert node.level == 0, f"{path}: use absolute imports"
            # `from hongmian.analytics import tasks` imports the module `tasks`.
            names = [
                f"{node.module}.{alias.name}"
                if f"{node.module}.{alias.name}" in SOURCES
                else node.module
                for alias in node.names
            ]
        for name in names:
            if name == PACKAGE or name.startswith(f"{PACKAGE}."):
                found.append((name, id(node) in top_level))
    return found


def _part(module: str) -> str:
    """`hongmian.analytics.report.compute` → `report`."""
    rest = module.removeprefix(f"{PACKAGE}.")
    return rest.split(".")[0] if rest != PACKAGE else ""


def test_the_app_imports_one_way() -> None:
    against = []
    for module, path in SOURCES.items():
        source = _part(module)
        for imported, at_top in _imports(path):
            target = _part(imported)
            if LAYERS.get(target, 0) <= LAYERS.get(source, 0):
                continue
            if (source, target) in AGAINST_THE_FLOW and not at_top:
                continue
            against.append(f"{module} imports {imported}")
    assert not against, "imports against the flow:\n" + "\n".join(against)


def test_pipelines_never_import_the_report_layer() -> None:
    pipelines = {m: p for m, p in SOURCES.items() if _part(m) == "pipelines"}
    assert f"{PACKAGE}.pipelines.report" in pipelines
    for module, path in pipelines.items():
        for imported, _ in _imports(path):
            assert _part(imported) not in ("report", "services", "selectors", "tasks"), (
                f"{module} imports {imported}"
            )


def test_the_check_sees_an_import_against_the_flow(tmp_path: Path) -> None:
    """The reader of imports is not blind: it finds a nested, aliased import."""
    path = tmp_path / "x.py"
    path.write_text(
        "def f():\n    from hongmian.analytics.report import compute as c\n    return c\n",
        "utf-8",
    )
    assert _imports(path) == [("hongmian.analytics.report.compute", False)]
