"""State machines declared as tables in each app's states.py.

A table maps each status to the statuses it may move to. A service that changes a status
locks the row, calls `assert_transition`, saves, and audits in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext

from hongmian.core.errors import IllegalTransition


@dataclass(frozen=True)
class TransitionTable:
    """The legal moves of one state machine, plus its named groups (open, terminal, …)."""

    name: str
    moves: Mapping[str, frozenset[str]]

    @classmethod
    def build(cls, name: str, moves: Mapping[str, Iterable[str]]) -> TransitionTable:
        table = {src: frozenset(dsts) for src, dsts in moves.items()}
        unknown = {d for dsts in table.values() for d in dsts} - set(table)
        if unknown:
            raise ValueError(f"{name}: targets without a row of their own: {sorted(unknown)}")
        return cls(name=name, moves=table)

    def allowed(self, current: str) -> frozenset[str]:
        return self.moves.get(current, frozenset())

    def can(self, current: str, target: str) -> bool:
        return target in self.allowed(current)

    def terminal(self) -> frozenset[str]:
        return frozenset(s for s, dsts in self.moves.items() if not dsts)


def assert_transition(table: TransitionTable, current: str, target: str) -> None:
    """Raise IllegalTransition (HTTP 409) unless `current → target` is in the table."""
    if not table.can(current, target):
        raise IllegalTransition(
            gettext("不能从“%(current)s”转为“%(target)s”") % {"current": current, "target": target},
            code=f"{table.name}.illegal_transition",
            fields={"status": [f"{current} → {target}"]},
        )
