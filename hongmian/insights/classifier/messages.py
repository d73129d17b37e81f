"""The message a classifier reads, prepared the same way for training and prediction.

Kept apart from features.py so that reading files and checking input never imports
scikit-learn.
"""

from __future__ import annotations

from dataclasses import dataclass

from hongmian.core.text import normalize

# Characters of a message that the features read (title + content). Longer messages are
# cut: their opening states the matter (cutting at 1,500 scored no worse than at 3,000 on
# the board's messages), and the cut bounds the time one prediction takes.
FEATURE_CHARS = 1_500
# Between title and content; the few n-grams that span it weigh next to nothing.
_JOIN = "\n"
# Excel's escape for a carriage return, left in texts that went through an XLSX export.
_EXCEL_CR = "_x000D_"


@dataclass(frozen=True, slots=True)
class Message:
    """What a classifier reads: a title (may be blank) and the text."""

    title: str
    text: str

    @classmethod
    def prepared(cls, title: str | None, text: str | None) -> Message:
        title = normalize(_clean(title))[:FEATURE_CHARS]
        return cls(title, normalize(_clean(text))[: max(FEATURE_CHARS - len(title), 0)])

    @property
    def whole(self) -> str:
        return f"{self.title}{_JOIN}{self.text}" if self.title else self.text

    def is_blank(self) -> bool:
        return not (self.title or self.text)


def _clean(text: str | None) -> str:
    return (text or "").replace(_EXCEL_CR, " ")
