"""Using a searchable picker (portal/combobox.js: tom-select over <select data-combobox>)
as a person does: click, type part of the name, Enter. Playwright's select_option would
set the hidden select behind the library's back."""

from __future__ import annotations

from typing import Any


def pick_unit(scope: Any, label: str, typed: str, name: str) -> None:
    """Pick `name` in the combobox labelled `label` by typing `typed` and pressing Enter;
    `scope` is the page or the part of it that holds that one picker. The list must have
    narrowed to the names containing `typed` (the first is taken, as Enter does)."""
    box = scope.get_by_role("combobox", name=label)
    box.click()
    box.press_sequentially(typed, delay=30)
    options = scope.locator(".ts-dropdown .option")
    options.filter(has_text=name).first.wait_for()
    texts = options.all_inner_texts()
    assert texts
    assert all(typed in text for text in texts), texts
    assert name in texts[0], texts
    box.press("Enter")
