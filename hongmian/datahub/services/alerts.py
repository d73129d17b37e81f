"""No silent failure (issue 15 item 2): a failed run and a late source each raise an alert to
the dataset's provider, as a hotline order dispatched to it (`work_order_raise_alert`).

- A failed run (a source that timed out, a header that no longer matches the schema, a schema
  that does not parse, an I/O error …): one alert per dataset and day (Asia/Shanghai), with
  the first failure's code and message; later failures that day are on the dataset's page.
- A late source: a dataset that declares a frequency and has had no good load within that
  period plus a grace (a quarter of the period) since its last load (or its creation). One
  alert per missed period: a source late for three weeks on a weekly frequency raises three.

`data_alerts_check` is run every fifteen minutes (tasks.py). Each alert is its own
transaction (the DataAlert row and the order together, so that a failure leaves neither and
the next sweep tries again); one that cannot be filed (its provider unit is disabled, say)
is logged and the others are raised all the same.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from hongmian.core.actors import Actor
from hongmian.core.errors import ApplicationError, PermissionDenied
from hongmian.datahub.models import Dataset, IngestRun
from hongmian.datahub.models_assets import AlertKind, DataAlert
from hongmian.datahub.states import FREQUENCY_PERIOD, Frequency, RunOutcome
from hongmian.hotline.services.alerts import work_order_raise_alert

logger = logging.getLogger(__name__)

# Failed runs older than this are not looked at again (the sweep runs every 15 minutes).
FAILED_LOOKBACK = dt.timedelta(days=2)
# A late source is alerted once this share of its period has passed beyond the period.
GRACE_SHARE = 0.25


def grace_for(period: dt.timedelta) -> dt.timedelta:
    return period * GRACE_SHARE


@dataclass(slots=True)
class Sweep:
    raised: list[str] = field(default_factory=list)  # dedupe keys of the alerts raised now
    not_filed: list[str] = field(default_factory=list)  # … of those that could not be filed


def failed_key(dataset: Dataset, at: dt.datetime) -> str:
    return f"datahub:failed:{dataset.code}:{timezone.localdate(at):%Y%m%d}"


def late_state(dataset: Dataset, now: dt.datetime) -> tuple[int, dt.datetime] | None:
    """(missed periods, reference time) when `dataset` is late, else None."""
    period = FREQUENCY_PERIOD.get(dataset.update_frequency)
    if period is None:
        return None
    since = dataset.last_loaded_at or dataset.created_at
    grace = grace_for(period)
    if now - since <= period + grace:
        return None
    return int((now - since - grace) // period), since


def late_key(dataset: Dataset, since: dt.datetime, missed: int) -> str:
    return f"datahub:late:{dataset.code}:{since:%Y%m%d%H%M%S}:{missed}"


def data_alerts_check(*, actor: Actor, now: dt.datetime | None = None) -> Sweep:
    """Raise the alerts due now: failed runs of the last two days, late sources."""
    if not (actor.user is None and actor.via in ("system", "cli")):
        raise PermissionDenied(gettext("只有系统可以发出预警"), code="datahub.forbidden")
    now = now or timezone.now()
    sweep = Sweep()
    due: list[tuple[str, str, Dataset, IngestRun | None, dict[str, Any]]] = []
    failed = (
        IngestRun.objects.filter(outcome=RunOutcome.FAILED, created_at__gte=now - FAILED_LOOKBACK)
        .select_related("dataset__provider", "source")
        .order_by("created_at", "id")
    )
    for run in failed:
        key = failed_key(run.dataset, run.created_at)
        detail = {
            "run": run.pk,
            "code": run.error_code,
            "message": run.error_message[:500],
            "source": run.source.name if run.source else run.origin,
        }
        due.append((AlertKind.RUN_FAILED, key, run.dataset, run, detail))
    datasets = Dataset.objects.exclude(update_frequency=Frequency.IRREGULAR).select_related(
        "provider"
    )
    for dataset in datasets:
        state = late_state(dataset, now)
        if state is not None:
            missed, since = state
            detail = {"since": since.isoformat(), "missed": missed}
            due.append((AlertKind.LATE, late_key(dataset, since, missed), dataset, None, detail))
    known = set(
        DataAlert.objects.filter(dedupe_key__in=[d[1] for d in due]).values_list(
            "dedupe_key", flat=True
        )
    )
    for kind, key, dataset, cause, detail in due:
        if key in known:
            continue
        known.add(key)  # the day's later failures of the same dataset are the same alert
        if _raise(actor, kind, key, dataset, cause, detail):
            sweep.raised.append(key)
        else:
            sweep.not_filed.append(key)
    return sweep


def _texts(kind: str, dataset: Dataset, detail: dict[str, Any]) -> tuple[str, str]:
    if kind == AlertKind.RUN_FAILED:
        subject = gettext("数据采集失败：%(name)s（%(code)s）") % {
            "name": dataset.name,
            "code": dataset.code,
        }
        body = gettext(
            "数据资源 %(code)s 的采集运行失败（来源：%(source)s）。错误代码：%(error)s；"
            "说明：%(message)s。请检查来源系统并重新采集。"
        ) % {
            "code": dataset.code,
            "source": detail.get("source") or "—",
            "error": detail.get("code") or "—",
            "message": detail.get("message") or "—",
        }
        return subject, body
    subject = gettext("数据未按时更新：%(name)s（%(code)s）") % {
        "name": dataset.name,
        "code": dataset.code,
    }
    body = gettext(
        "数据资源 %(code)s 声明的更新周期为%(frequency)s，自 %(since)s 起未有成功入库"
        "（已错过 %(missed)s 个周期）。请检查数据来源。"
    ) % {
        "code": dataset.code,
        "frequency": dataset.get_update_frequency_display(),
        "since": timezone.localtime(dt.datetime.fromisoformat(detail["since"])).strftime(
            "%Y-%m-%d %H:%M"
        ),
        "missed": detail["missed"],
    }
    return subject, body


def _raise(
    actor: Actor,
    kind: str,
    key: str,
    dataset: Dataset,
    run: IngestRun | None,
    detail: dict[str, Any],
) -> bool:
    subject, body = _texts(kind, dataset, detail)
    try:
        with transaction.atomic():
            alert = DataAlert.objects.create(
                kind=kind, dataset=dataset, run=run, dedupe_key=key, detail=detail
            )
            order, _created = work_order_raise_alert(
                actor=actor, unit=dataset.provider, subject=subject, body=body, source_ref=key
            )
            alert.work_order = order
            alert.save(update_fields=["work_order", "updated_at"])
    except IntegrityError:
        return True  # another sweep raised it between our look-up and our insert
    except (ApplicationError, DatabaseError) as exc:
        logger.warning("datahub alert %s not filed: %s", key, getattr(exc, "code", exc))
        return False
    return True
