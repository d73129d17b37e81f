"""Demo data for geo: Guangzhou's divisions from the project's data file. Called by
`hongmian seed_demo` as `seed(actor=Actor.system("seed_demo"), progress=…)`; idempotent."""

from __future__ import annotations

from collections.abc import Callable

from hongmian.core.actors import Actor
from hongmian.geo.selectors import gazetteer
from hongmian.geo.services import divisions_load

Progress = Callable[[str, int, int], None]


def seed(*, actor: Actor, progress: Progress) -> None:
    total = len(gazetteer().entries)
    progress("geo: 行政区划", 0, total)
    divisions_load(actor=actor)
    progress("geo: 行政区划", total, total)


__all__ = ["seed"]
