"""The insights app's part of the demo: category models trained on the hotline demo's orders,
active at once, and the first hot-spot scan."""

from __future__ import annotations

import pytest

from hongmian.core.actors import Actor
from hongmian.hotline.tests.test_demo import _seed, identity  # noqa: F401  (a fixture)
from hongmian.insights import demo

pytestmark = pytest.mark.django_db


def test_the_demo_has_an_active_category_model(identity: None) -> None:  # noqa: F811
    from hongmian.insights.classifier import registry

    _seed()
    registry.forget()

    trained = demo.train_and_scan(actor=Actor.system("seed_demo"))

    assert "category_l1" in trained
    model = registry.active("category_l1")
    assert model is not None
    top = model.classifier.predict_one("小区停水", "小区突然停水，一直没有来水", k=3)
    assert len(top.top) == 3
    registry.forget()
