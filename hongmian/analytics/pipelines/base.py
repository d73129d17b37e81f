"""Declared, ordered pipelines (STYLE habit 8).

A pipeline is a named list of steps, each declared with an explicit order number and a
Chinese title, so `hongmian analytics pipelines` can list what runs and in which order, and a
new step is added by declaring it — never by editing a runner. Steps receive one context
object, read what earlier steps left in `ctx.results` and return their own result, which is
stored under the step's name. The runner times every step.

Steps build engine-neutral Ibis expressions; which engine executes them is the context's
business (engines.py), so the same pipeline runs on DuckDB and on Spark.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol


class StepContext(Protocol):
    results: dict[str, Any]
    timings: dict[str, float]


@dataclass(frozen=True, slots=True)
class Step[C: StepContext]:
    order: int
    name: str
    title: str
    run: Callable[[C], Any]


@dataclass
class Pipeline[C: StepContext]:
    name: str
    title: str
    _steps: dict[str, Step[C]] = field(default_factory=dict)

    def step(
        self, *, order: int, name: str, title: str
    ) -> Callable[[Callable[[C], Any]], Callable[[C], Any]]:
        """Declare the decorated function as a step. Orders and names are unique."""

        def register(func: Callable[[C], Any]) -> Callable[[C], Any]:
            if name in self._steps:
                raise ValueError(f"{self.name}: step {name!r} declared twice")
            clash = [s.name for s in self._steps.values() if s.order == order]
            if clash:
                raise ValueError(f"{self.name}: order {order} of {name!r} is taken by {clash[0]!r}")
            self._steps[name] = Step(order, name, title, func)
            return func

        return register

    @property
    def steps(self) -> list[Step[C]]:
        return sorted(self._steps.values(), key=lambda s: s.order)

    def run(self, ctx: C, *, until: str | None = None) -> C:
        """Run the steps in order (up to and including `until`, if given)."""
        for step in self.steps:
            started = time.perf_counter()
            ctx.results[step.name] = step.run(ctx)
            ctx.timings[step.name] = time.perf_counter() - started
            if step.name == until:
                break
        return ctx


# Every pipeline that `hongmian analytics pipelines` lists, by name.
REGISTRY: dict[str, Pipeline[Any]] = {}


def declare(name: str, title: str) -> Pipeline[Any]:
    if name in REGISTRY:
        raise ValueError(f"pipeline {name!r} declared twice")
    REGISTRY[name] = pipeline = Pipeline[Any](name, title)
    return pipeline


__all__ = ["REGISTRY", "Pipeline", "Step", "declare"]
