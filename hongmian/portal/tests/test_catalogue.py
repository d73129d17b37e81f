"""The English catalogue covers every marked string, and an API error speaks the language
asked for (decisions 0006, 0039).

`makemessages` is run as documented, but into a copy of the catalogue in a temporary
directory, so that a string added to a template or a view without its English fails here
instead of showing Chinese on the English site.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
# As in decision 0006's command.
IGNORE = ["node_modules/*", "var/*", "bench/*", "*/tests/*", "tests/*"]

needs_gettext = pytest.mark.skipif(
    shutil.which("xgettext") is None or shutil.which("msgmerge") is None,
    reason="gettext's xgettext/msgmerge are not installed",
)


def _entries(po: str) -> list[dict[str, str]]:
    """The entries of a .po file: msgid, msgstr (or msgstr[n]) and the flags, with the
    continuation lines joined. Enough of the format for makemessages' own output."""
    entries: list[dict[str, str]] = []
    for block in po.split("\n\n"):
        entry: dict[str, str] = {"flags": ""}
        key = ""
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] = line[2:]
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                entry[key] += ast.literal_eval(line)
            elif line:
                key, _space, value = line.partition(" ")
                entry[key] = ast.literal_eval(value)
        if entry.get("msgid"):
            entries.append(entry)
    return entries


def test_parser_reads_wrapped_plural_and_fuzzy_entries() -> None:
    po = (
        'msgid ""\nmsgstr "Language: en\\n"\n\n'
        '#, fuzzy, python-format\nmsgid ""\n"长"\n"句"\nmsgstr "Long"\n\n'
        'msgid "%(n)s 件"\nmsgid_plural "%(n)s 件"\nmsgstr[0] ""\nmsgstr[1] "%(n)s orders"\n'
    )
    long, plural = _entries(po)
    assert (long["msgid"], long["msgstr"], "fuzzy" in long["flags"]) == ("长句", "Long", True)
    assert (plural["msgstr[0]"], plural["msgstr[1]"]) == ("", "%(n)s orders")


@needs_gettext
def test_every_marked_string_has_english(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A tree that mirrors the project through a symlink, with its own locale/: makemessages
    # writes a catalogue next to the sources it walks, so the committed one is left alone.
    for tree in ("hongmian", "config"):
        (tmp_path / tree).symlink_to(Path(settings.BASE_DIR) / tree)
    target = tmp_path / "locale" / "en" / "LC_MESSAGES"
    target.mkdir(parents=True)
    shutil.copy(LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po", target / "django.po")
    monkeypatch.chdir(tmp_path)

    with override_settings(LOCALE_PATHS=[tmp_path / "locale"]):
        call_command(
            "makemessages",
            locale=["en"],
            no_obsolete=True,
            symlinks=True,
            ignore_patterns=IGNORE,
            verbosity=0,
        )

    entries = _entries((target / "django.po").read_text(encoding="utf-8"))
    assert len(entries) > 1000  # the walk did reach the project
    missing = [
        e["msgid"]
        for e in entries
        if "fuzzy" in e["flags"] or any(not e[k] for k in e if k.startswith("msgstr"))
    ]
    assert not missing, (
        f"{len(missing)} string(s) without English, e.g. {missing[:5]}: run makemessages as in "
        "docs/decisions/0006-web-shell.md, translate them and compile the .mo"
    )


@pytest.mark.django_db
def test_an_api_error_answers_in_the_language_asked_for_with_the_same_code(client: Client) -> None:
    url = "/api/hotline/work-orders"
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()

    assert chinese["code"] == english["code"] == "not_authenticated"
    assert chinese["message"] == "需要登录或有效的 API 密钥"
    assert english["message"] == "Log in or give a valid API key"
