"""One-way query expansion: a colloquial phrase → the official words it stands for.

Synonym groups (lexicon.py) are symmetric and apply to both sides; they fit words that
name the same thing (社保 / 社会保险). People asking for a service use words no official
text contains ("开饭店要办啥证" for 食品经营许可, "娃" for 儿童), so the question alone
shares nothing with the right item. An expansion rule adds the official words to the
question (weighted by RankingParams.expansion_weight), never to the documents.

The rules live in a data file the domain app keeps and reviews (the catalogue's is
hongmian/catalog/data/colloquial.txt). Its format, one rule per line:

    # a comment
    开饭店, 开餐馆, 开+饭馆 => 食品经营许可 餐饮

Left of ``=>``: triggers, separated by commas; a trigger is one phrase, or phrases joined
by ``+`` that must all occur (in any order: 爸+去世 matches "我爸昨天去世了"). Right: the
official words, separated by spaces. Both sides are normalised (traditional →
simplified), so the file may be written in either script and matches either.

A trigger phrase of two or more characters also matches by sound (toneless pinyin), so
a homophone typo in the colloquial phrase (开饭点) still fires the rule.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from hongmian.core.errors import ValidationFailed
from hongmian.core.text import normalize

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


class ExpansionFileError(ValidationFailed):
    default_code = "search_expansion_file"


@dataclass(frozen=True, slots=True)
class Rule:
    line: int
    # Each trigger: the phrases that must all occur (normalised).
    triggers: tuple[tuple[str, ...], ...]
    words: str


@dataclass(frozen=True, slots=True)
class Expansion:
    """A rule that fired on a question: the phrases of the question that fired it, and
    the official words they stand for."""

    phrases: tuple[str, ...]
    words: str


@functools.cache
def _syllable(char: str) -> str:
    from pypinyin import Style, lazy_pinyin

    return lazy_pinyin(char, style=Style.NORMAL, errors="ignore")[0] if _HAN.match(char) else ""


def _sounds(text: str) -> str:
    """The toneless syllables of the Chinese characters of `text`, each followed by a
    space ("开饭店" → "kai fan dian "); other characters are dropped."""
    return "".join(f"{s} " for s in map(_syllable, text) if s)


class Expansions:
    """A parsed rule file. Read-only once built, shared by every thread."""

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = rules
        self._sound_of = {
            phrase: _sounds(phrase)
            for rule in rules
            for trigger in rule.triggers
            for phrase in trigger
            if len(_sounds(phrase).split()) >= 2
        }

    @classmethod
    def parse(cls, text: str, *, source: str = "expansions") -> Expansions:
        rules: list[Rule] = []
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            if line.count("=>") != 1:
                raise ExpansionFileError(
                    f"{source}, line {number}: a rule is 'triggers => words'",
                    fields={"line": [str(number)]},
                )
            left, right = (part.strip() for part in line.split("=>"))
            triggers = tuple(
                tuple(normalize(p).lower() for p in trigger.split("+") if p.strip())
                for trigger in left.replace("，", ",").split(",")
                if trigger.strip()
            )
            words = " ".join(normalize(right).split())
            if not triggers or any(not t for t in triggers) or not words:
                raise ExpansionFileError(
                    f"{source}, line {number}: a rule needs triggers and words",
                    fields={"line": [str(number)]},
                )
            rules.append(Rule(number, triggers, words))
        return cls(rules)

    @classmethod
    def load(cls, path: Path) -> Expansions:
        return cls.parse(path.read_text(encoding="utf-8"), source=path.name)

    def _occurs(self, phrase: str, norm: str, sounds: str) -> bool:
        if phrase in norm:
            return True
        sound = self._sound_of.get(phrase)
        # A leading space keeps "an" from matching inside "kan".
        return sound is not None and f" {sound}" in sounds

    def expand(self, query: str) -> list[Expansion]:
        """Every rule one of whose triggers occurs in `query`, in file order, each rule
        once (with the phrases of its first trigger that occurs)."""
        norm = normalize(query).lower()
        sounds = f" {_sounds(norm)}"
        out = []
        for rule in self.rules:
            for trigger in rule.triggers:
                if all(self._occurs(p, norm, sounds) for p in trigger):
                    out.append(Expansion(trigger, rule.words))
                    break
        return out
