"""The active classifier per target, as the console and the API use it.

One small query per call finds the active version; its artefact is read, checked against
its sha256 and unpickled once per process and version, then kept. Activating another
version (in any process) changes what the query returns, so every process follows within
one request. A damaged artefact is logged and treated as "no model": a suggestion is a
help, never a reason for the console to fail.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.translation import gettext

from hongmian.insights.classifier.datasets import ClassifierError, fail
from hongmian.insights.models import ClassifierModel
from hongmian.insights.states import ClassifierTarget

if TYPE_CHECKING:
    # Imported where a model is loaded: scikit-learn stays out of every process start.
    from hongmian.insights.classifier.text_classifier import TextClassifier

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LoadedModel:
    pk: int
    target: str
    version: int
    classifier: TextClassifier
    label_map: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.target} v{self.version}"


_lock = threading.Lock()
# (pk, sha256) → the loaded model, or the error that loading it gave.
_loaded: dict[tuple[int, str], LoadedModel | ClassifierError] = {}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_record(record: ClassifierModel) -> TextClassifier:
    """The classifier stored in `record`; ClassifierError if its bytes are damaged."""
    from hongmian.insights.classifier.text_classifier import TextClassifier

    data = bytes(record.artefact)
    if sha256(data) != record.artefact_sha256:
        raise fail(
            "model_corrupt",
            gettext("%(record)s 的模型文件校验失败（已损坏或被改动），请重新注册")
            % {"record": record},
            field="model",
        )
    return TextClassifier.from_bytes(data, name=str(record))


def active(target: ClassifierTarget | str) -> LoadedModel | None:
    """The active model for `target`, or None (none active, or its artefact is damaged)."""
    head = (
        ClassifierModel.objects.filter(target=target, is_active=True)
        .values_list("pk", "artefact_sha256")
        .first()
    )
    if head is None:
        return None
    cached = _loaded.get(head)
    if cached is None:
        with _lock:
            cached = _loaded.get(head)
            if cached is None:
                cached = _load(*head)
                if cached is not None:
                    _loaded[head] = cached
    if cached is None or isinstance(cached, ClassifierError):
        return None
    return cached


def _load(pk: int, digest: str) -> LoadedModel | ClassifierError | None:
    record = ClassifierModel.objects.filter(pk=pk).first()
    if record is None or record.artefact_sha256 != digest:
        return None  # replaced between the two queries: the next call finds the new one
    try:
        classifier = load_record(record)
    except ClassifierError as exc:
        logger.error("classifier %s cannot be loaded: %s", record, exc.message)
        return exc
    return LoadedModel(
        pk=record.pk,
        target=record.target,
        version=record.version,
        classifier=classifier,
        label_map=dict(record.label_map or {}),
    )


def forget() -> None:
    """Drop every loaded model (tests; a process that wants its memory back)."""
    with _lock:
        _loaded.clear()
