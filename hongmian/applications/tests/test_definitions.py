"""The form declaration: its schema refuses what it cannot serve, and the demo gives a
checked form to every item of the life events and to ten common ones more."""

from __future__ import annotations

import csv

import pytest

from hongmian.applications.definitions import definition_parse
from hongmian.applications.demo_forms import EXTRA, base_name, form_for
from hongmian.catalog.demo_items import LIFE_EVENTS, TEMPLATES_CSV
from hongmian.core.errors import ValidationFailed


@pytest.mark.parametrize(
    "fields",
    [
        [{"key": "a", "label": "甲"}, {"key": "a", "label": "乙"}],  # the same key twice
        [{"key": "a", "label": "甲", "file_field": "identity.shoe_size"}],  # no such field
        [{"key": "a", "label": "甲", "file_field": "household.members"}],  # a list field
        [{"key": "a", "label": "甲", "kind": "choice"}],  # a choice without choices
        [{"key": "A b", "label": "甲"}],  # not a key
        [{"key": "a", "label": "甲", "colour": "red"}],  # an attribute nobody reads
    ],
)
def test_a_bad_declaration_is_refused_with_its_code(fields: list[dict[str, str]]) -> None:
    with pytest.raises(ValidationFailed) as caught:
        definition_parse(fields)
    assert caught.value.code == "item_form.invalid"


def test_the_demo_forms_cover_the_life_events_and_ten_more() -> None:
    with TEMPLATES_CSV.open(encoding="utf-8") as handle:
        names = {row["name"] for row in csv.DictReader(handle)}
    in_events = {base_name(n) for event in LIFE_EVENTS for n in event[4]}
    assert all(form_for(n, enterprise=False) for n in in_events)
    others = [n for n in EXTRA if n not in in_events]
    assert len(others) >= 10
    assert set(others) <= names  # every form names an item the demo has
    for name in EXTRA:
        for enterprise in (False, True):
            definition = definition_parse(form_for(name, enterprise=enterprise))
            assert definition.fields[0].file_field  # the applicant's part comes from the file
