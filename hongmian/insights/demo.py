"""Demo data for the insights app: what the weekly retraining and the hourly scan would have
made by now from the hotline demo's orders — a category model per level the settled orders
can teach (activated, so the console suggests at once), a hot-spot scan and a
duplicate-group scan. Called by
`hongmian seed_demo` after the hotline's demo (INSTALLED_APPS order).

Idempotent: when the demo has trained a model already, a second run changes nothing. Below
MIN_ORDERS demo orders (the tests' small seeds) nothing is trained and no scan run.
"""

from __future__ import annotations

from collections.abc import Callable

from hongmian.core.actors import Actor
from hongmian.core.errors import ApplicationError
from hongmian.hotline.demo.runner import DEMO_REF
from hongmian.hotline.models import WorkOrder
from hongmian.insights.models import ClassifierModel
from hongmian.insights.states import ClassifierTarget

Progress = Callable[[str, int, int], None]

MIN_ORDERS = 500
# The note of the models the demo trains: how a second run knows it has trained already.
DEMO_NOTE = "演示数据训练"


def seed(*, actor: Actor, progress: Progress) -> None:
    orders = WorkOrder.objects.filter(external_ref__startswith=DEMO_REF).count()
    if orders < MIN_ORDERS or ClassifierModel.objects.filter(note=DEMO_NOTE).exists():
        progress("insights: 无需训练", 1, 1)
        return
    progress("insights: 智能分类模型与热点扫描", 0, 1)
    train_and_scan(actor=actor)
    progress("insights: 智能分类模型与热点扫描", 1, 1)


def train_and_scan(*, actor: Actor) -> list[str]:
    """A category model per level (L1, L2) trained on the settled orders and activated, then
    a hot-spot scan and a duplicate-group scan. A level without enough orders per category
    is skipped. Returns the targets trained."""
    from hongmian.insights.services.classifier import classifier_train
    from hongmian.insights.services.duplicates import duplicate_scan
    from hongmian.insights.services.hotspots import hotspot_scan

    trained = []
    for target in (ClassifierTarget.CATEGORY_L1, ClassifierTarget.CATEGORY_L2):
        try:
            classifier_train(actor=actor, target=target, cv_folds=0, activate=True, note=DEMO_NOTE)
        except ApplicationError:
            continue  # too few settled orders per category at this level
        trained.append(str(target))
    hotspot_scan(actor=actor)
    duplicate_scan(actor=actor)
    return trained
