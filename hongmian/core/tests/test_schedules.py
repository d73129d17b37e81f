"""The scheduler imports every app's tasks.py at start-up: a schedule it cannot parse would
stop `make demo` and production alike, so every one is imported here."""

import importlib

from django.apps import apps
from django.utils.module_loading import module_has_submodule


def test_every_periodic_schedule_loads():
    loaded = []
    for config in apps.get_app_configs():
        if config.name.startswith("hongmian.") and module_has_submodule(config.module, "tasks"):
            loaded.append(importlib.import_module(f"{config.name}.tasks"))
    assert {m.__name__ for m in loaded} >= {
        "hongmian.core.tasks",
        "hongmian.hotline.tasks",
        "hongmian.insights.tasks",
    }
