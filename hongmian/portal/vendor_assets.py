"""Copy the front-end files the shell serves from node_modules into the portal's static folder.

Run after `npm ci` (the Makefile's `assets` target does both):

    python -m hongmian.portal.vendor_assets node_modules hongmian/portal/static/vendor

Only the built files that pages load are copied, so that static/ never holds the rest of a
package (sources, maps, tests). The destination is git-ignored: package-lock.json is what
pins the exact bytes, and `npm ci` checks their integrity hashes.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

# (package, file inside the package) → name under static/vendor/. Templates refer to the
# right-hand names, so a version bump never touches a template.
VENDOR_FILES: dict[str, tuple[str, str]] = {
    "htmx.min.js": ("htmx.org", "dist/htmx.min.js"),
    "echarts.min.js": ("echarts", "dist/echarts.min.js"),
    "axe.min.js": ("axe-core", "axe.min.js"),
    # The searchable unit pickers (portal/static/portal/combobox.js loads them on demand).
    "tom-select.min.js": ("tom-select", "dist/js/tom-select.complete.min.js"),
    "tom-select.min.css": ("tom-select", "dist/css/tom-select.default.min.css"),
}
# devDependencies: loaded only by the accessibility tests, never by a page. A production
# build may run `npm ci --omit=dev`; then they are left out instead of failing the build.
DEV_ONLY = frozenset({"axe.min.js"})


class VendorAssetsError(Exception):
    """node_modules is missing or lacks a file we need; the message says what to run."""


def copy_vendor_assets(node_modules: Path, destination: Path) -> list[Path]:
    """Copy the files in VENDOR_FILES (dev-only ones when installed); check them all before
    copying any, so that a failed run never leaves a half-updated folder behind."""
    if not node_modules.is_dir():
        raise VendorAssetsError(
            f"{node_modules} does not exist: "
            "run `npm ci` (or `make assets`) in the project root first"
        )
    sources: list[tuple[Path, Path]] = []
    missing: list[str] = []
    for target_name, (package, relative) in VENDOR_FILES.items():
        source = node_modules / package / relative
        if source.is_file():
            sources.append((source, destination / target_name))
        elif target_name not in DEV_ONLY:
            missing.append(f"{package}/{relative}")
    if missing:
        raise VendorAssetsError(
            "missing from node_modules: "
            + ", ".join(missing)
            + " — run `npm ci` so that node_modules matches package-lock.json"
        )
    destination.mkdir(parents=True, exist_ok=True)
    copied = []
    for source, target in sources:
        shutil.copyfile(source, target)
        copied.append(target)
    return copied


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print(
            "usage: python -m hongmian.portal.vendor_assets NODE_MODULES DESTINATION",
            file=sys.stderr,
        )
        return 2
    try:
        copied = copy_vendor_assets(Path(args[0]), Path(args[1]))
    except VendorAssetsError as exc:
        print(f"vendor_assets: {exc}", file=sys.stderr)
        return 1
    for path in copied:
        print(f"vendor_assets: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
