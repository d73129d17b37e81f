"""`hongmian seed_demo`: the Guangzhou demo data, made by each app's own demo.py.

Every installed Hongmian app may have a `demo` module with `seed(*, actor, progress)`.
They run in INSTALLED_APPS order (identity before the apps that need its people and units),
each inside its own transaction, so a failure leaves no half-seeded app behind. Seeders are
deterministic and idempotent: running the command twice changes nothing.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import module_has_submodule
from tqdm import tqdm

from hongmian.core.actors import Actor


def demo_modules() -> list[tuple[str, ModuleType]]:
    found = []
    for config in apps.get_app_configs():
        if config.name.startswith("hongmian.") and module_has_submodule(config.module, "demo"):
            found.append((config.label, importlib.import_module(f"{config.name}.demo")))
    return found


class Command(BaseCommand):
    help = "Seed the deterministic Guangzhou demo data (idempotent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has users (for `make demo`).",
        )
        parser.add_argument("--only", nargs="*", help="Seed only these apps (by label).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and get_user_model().objects.exists():
            self.stdout.write(
                "数据库已有数据，跳过演示数据初始化。 (database not empty: seed skipped)"
            )
            return
        actor = Actor.system("seed_demo")
        modules = demo_modules()
        if options["only"]:
            modules = [(label, m) for label, m in modules if label in options["only"]]
        show = options["verbosity"] > 0
        for label, module in modules:
            bar = tqdm(desc=f"{label:>12}", unit="项", disable=not show, leave=True)

            def progress(step: str, done: int, total: int, bar: tqdm[Any] = bar) -> None:
                bar.total = total
                bar.set_postfix_str(step, refresh=False)
                bar.n = done
                bar.refresh()

            with transaction.atomic():
                module.seed(actor=actor, progress=progress)
            bar.close()
        self.stdout.write(self.style.SUCCESS("演示数据已就绪 (demo data ready)"))
