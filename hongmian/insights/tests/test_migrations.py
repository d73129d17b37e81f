"""The move of the classifiers and the hot spots out of the hotline keeps every row: a
database at the state before the move (hotline/0004) gets one row in each moved table, is
migrated forward (hotline/0005 renames the tables, insights/0001 takes the models over),
and the rows are read back through the insights app's models, their foreign keys intact.

The suite builds its database without migrations (--no-migrations); this test turns them
on for itself, records the current schema as migrated, and walks the real migrations back
and forth on both SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from hongmian.hotline.tests.factories import WorkOrderFactory
from hongmian.identity.tests.factories import UserFactory
from hongmian.insights.models import (
    ClassificationFeedback,
    ClassifierModel,
    Hotspot,
    HotspotAlert,
)

BEFORE = [("hotline", "0004_classifier"), ("insights", None)]
MOVED_TABLES = {
    "hotline_classifiermodel": "insights_classifiermodel",
    "hotline_classificationfeedback": "insights_classificationfeedback",
    "hotline_hotspot": "insights_hotspot",
    "hotline_hotspotalert": "insights_hotspotalert",
}


def _executor() -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    return executor


def _tables() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


@pytest.mark.django_db(transaction=True)
def test_the_move_keeps_every_row_of_the_moved_tables(settings) -> None:
    settings.MIGRATION_MODULES = {}  # the real migrations, for this test only
    order = WorkOrderFactory()
    user = UserFactory()
    executor = _executor()
    executor.recorder.ensure_schema()
    latest = executor.loader.graph.leaf_nodes()
    # The test database was made from the models: record it as fully migrated.
    executor.migrate(latest, fake=True)
    try:
        executor = _executor()
        executor.migrate(BEFORE)
        assert set(MOVED_TABLES) <= _tables()
        assert not set(MOVED_TABLES.values()) & _tables()

        old = _executor().loader.project_state(BEFORE[:1]).apps
        now = timezone.now()
        model = old.get_model("hotline", "ClassifierModel").objects.create(
            target="category_l1",
            version=3,
            artefact=b"\x00artefact bytes\xff",
            artefact_sha256="a" * 64,
            training_fingerprint="f" * 64,
            training_rows=120,
            labels=["生态环境", "水电气"],
            metrics={"macro_f1": 0.81},
            is_active=True,
            activated_at=now,
            created_by_id=user.pk,
            note="迁移前训练",
        )
        feedback = old.get_model("hotline", "ClassificationFeedback").objects.create(
            order_id=order.pk,
            target="category_l1",
            model_id=model.pk,
            suggested_label="水电气",
            confidence=0.75,
            confirmed_label="生态环境",
            agreed=False,
            source="agent_correction",
            recorded_by_id=user.pk,
        )
        spot = old.get_model("hotline", "Hotspot").objects.create(
            scanned_at=now,
            rank=1,
            heat=9.5,
            reports=6,
            callers=5,
            started_at=now - dt.timedelta(days=3),
            ended_at=now,
            place_code="440106006",
            place_label="石牌街道",
            keywords=["积水"],
            title="地铁口积水",
            representative_id=order.pk,
            order_ids=[order.pk],
            bursting=True,
            details={"heat_parts": {"callers": 5.0}},
        )
        alert = old.get_model("hotline", "HotspotAlert").objects.create(
            day=now.date(),
            count=4,
            expected=0.5,
            p_value=0.001,
            title="地铁口积水",
            keywords=["积水"],
            place_label="石牌街道",
            heat=9.5,
            representative_id=order.pk,
            order_ids=[order.pk],
            acknowledged_at=now,
            acknowledged_by_id=user.pk,
        )

        _executor().migrate(latest)

        assert set(MOVED_TABLES.values()) <= _tables()
        assert not set(MOVED_TABLES) & _tables()
        moved_model = ClassifierModel.objects.get(pk=model.pk)
        assert bytes(moved_model.artefact) == b"\x00artefact bytes\xff"
        assert (moved_model.target, moved_model.version, moved_model.is_active) == (
            "category_l1",
            3,
            True,
        )
        assert moved_model.labels == ["生态环境", "水电气"]
        assert moved_model.created_by == user
        moved_feedback = ClassificationFeedback.objects.get(pk=feedback.pk)
        assert moved_feedback.order == order
        assert moved_feedback.model == moved_model
        assert list(order.classification_feedback.all()) == [moved_feedback]
        moved_spot = Hotspot.objects.get(pk=spot.pk)
        assert (moved_spot.title, moved_spot.representative) == ("地铁口积水", order)
        assert moved_spot.order_ids == [order.pk]
        moved_alert = HotspotAlert.objects.get(pk=alert.pk)
        assert (moved_alert.acknowledged_by, moved_alert.representative) == (user, order)
        # New rows get fresh ids after the moved ones (the sequences came along).
        assert Hotspot.objects.create(
            scanned_at=now, rank=2, heat=1.0, reports=2, callers=2, started_at=now,
            ended_at=now, title="新热点",
        ).pk > spot.pk  # fmt: skip
        # Deleting the order still reaches the moved feedback (the foreign key followed).
        order.delete()
        assert not ClassificationFeedback.objects.filter(pk=feedback.pk).exists()
    finally:
        _executor().migrate(latest)
        executor.recorder.flush()
