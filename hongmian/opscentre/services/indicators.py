"""Writes of the operations centre's indicators: create, change (a new version), and
evaluate — a reading for a day, its light, the anomaly rule, and the alerts it raises as
hotline tasks to the owner unit (hotline.services.alerts.work_order_raise_alert)."""

from __future__ import annotations

import datetime as dt
import logging
import statistics
from dataclasses import asdict, dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from hongmian.analytics.engines import duckdb_connect
from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.errors import ApplicationError, PermissionDenied, ValidationFailed
from hongmian.hotline.services.alerts import work_order_raise_alert
from hongmian.identity.models import OrgUnit
from hongmian.opscentre import permissions
from hongmian.opscentre.formula import Formula, evaluate, parse_formula
from hongmian.opscentre.models import CODE_MAX, Alert, Indicator, IndicatorVersion, Reading
from hongmian.opscentre.sources import columns_of, source_table
from hongmian.opscentre.states import AlertKind, Direction, GroupBy, Level, Measure, Source

logger = logging.getLogger(__name__)

# The anomaly rule's baseline: the 28 days before the day evaluated, at least 7 of them
# with a value (an average over no rows has none).
BASELINE_DAYS = 28
BASELINE_MIN_DAYS = 7
REFRESH_MAX_MINUTES = 7 * 24 * 60


@dataclass(frozen=True, slots=True)
class IndicatorSpec:
    """An indicator's definition, as the command, the demo and the tests give it."""

    name: str
    owner: OrgUnit
    source: str
    measure: str
    field: str = ""
    filters: tuple[dict[str, Any], ...] = ()
    group_by: str = GroupBy.NONE
    dataset: Any = None
    date_field: str = ""
    district_field: str = ""
    unit_of_measure: str = ""
    direction: str = Direction.ABOVE
    warn: float | None = None
    alarm: float | None = None
    anomaly_k: float = 0.0
    refresh_minutes: int = 15


def _invalid(name: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, code="opscentre.invalid", fields={name: [message]})


def _checked(spec: IndicatorSpec) -> Formula:
    if spec.source not in Source.values:
        raise _invalid("source", gettext("未知的数据来源：%(s)s") % {"s": spec.source})
    if (spec.source == Source.DATASET) != (spec.dataset is not None):
        raise _invalid("dataset", gettext("数据资源来源须且只须指定一个数据资源"))
    if spec.group_by not in GroupBy.values:
        raise _invalid("group_by", gettext("分组只能是不分组或按区"))
    if spec.direction not in Direction.values:
        raise _invalid("direction", gettext("告警方向只能是高于或低于"))
    if spec.warn is not None and spec.alarm is not None:
        wrong = (
            spec.warn > spec.alarm if spec.direction == Direction.ABOVE else spec.warn < spec.alarm
        )
        if wrong:
            raise _invalid("warn", gettext("预警阈值应在告警阈值之前被触及"))
    if not 0 <= spec.anomaly_k <= 10:
        raise _invalid("anomaly_k", gettext("异常倍数应在 0 到 10 之间"))
    if not 1 <= spec.refresh_minutes <= REFRESH_MAX_MINUTES:
        raise _invalid("refresh_minutes", gettext("刷新间隔应在 1 分钟到 7 天之间"))
    if not spec.name.strip():
        raise _invalid("name", gettext("请填写指标名称"))
    probe = Indicator(
        source=spec.source,
        dataset=spec.dataset,
        date_field=spec.date_field,
        district_field=spec.district_field,
    )
    return parse_formula(
        measure=spec.measure,
        field_name=spec.field,
        filters=list(spec.filters),
        columns=columns_of(probe),
    )


def _definition(spec: IndicatorSpec) -> dict[str, Any]:
    data = asdict(spec)
    data["filters"] = list(spec.filters)
    data["owner"] = spec.owner.code
    data["dataset"] = spec.dataset.code if spec.dataset is not None else None
    return data


def _apply(indicator: Indicator, spec: IndicatorSpec) -> None:
    for name, value in asdict(spec).items():
        if name not in ("owner", "dataset"):
            setattr(indicator, name, list(value) if name == "filters" else value)
    indicator.owner = spec.owner
    indicator.dataset = spec.dataset


def indicator_create(*, actor: Actor, code: str, spec: IndicatorSpec) -> Indicator:
    """A new indicator (version 1), due for evaluation at once."""
    if not permissions.can_manage_indicators(actor.user):
        raise PermissionDenied(gettext("无权管理城市运行指标"), code="opscentre.forbidden")
    code = code.strip()
    if not code or len(code) > CODE_MAX:
        raise _invalid("code", gettext("指标代码应为 1–64 个字符"))
    _checked(spec)
    with transaction.atomic():
        if Indicator.objects.filter(code=code).exists():
            raise _invalid("code", gettext("指标代码已存在：%(c)s") % {"c": code})
        indicator = Indicator(code=code)
        _apply(indicator, spec)
        indicator.save()
        IndicatorVersion.objects.create(
            indicator=indicator, number=1, definition=_definition(spec), created_by=actor.user
        )
        audit_record(
            actor=actor,
            action="opscentre.indicator_create",
            target=indicator,
            after=_definition(spec),
        )
    return indicator


def indicator_update(*, actor: Actor, indicator: Indicator, spec: IndicatorSpec) -> Indicator:
    """A changed definition: a new version; readings keep the version they were made with."""
    if not permissions.can_manage_indicators(actor.user):
        raise PermissionDenied(gettext("无权管理城市运行指标"), code="opscentre.forbidden")
    _checked(spec)
    with transaction.atomic():
        locked = Indicator.objects.select_for_update().get(pk=indicator.pk)
        before = IndicatorVersion.objects.get(indicator=locked, number=locked.version).definition
        after = _definition(spec)
        if before == after:
            return locked
        _apply(locked, spec)
        locked.version += 1
        locked.next_run_at = None
        locked.save()
        IndicatorVersion.objects.create(
            indicator=locked, number=locked.version, definition=after, created_by=actor.user
        )
        audit_record(
            actor=actor,
            action="opscentre.indicator_update",
            target=locked,
            before=before,
            after=after,
        )
    return locked


def level_of(indicator: Indicator, value: float | None) -> str:
    """The light: alarm past the alarm threshold, warn past the warn one, in the direction."""
    if value is None:
        return Level.NO_DATA

    def past(limit: float | None) -> bool:
        if limit is None:
            return False
        return value >= limit if indicator.direction == Direction.ABOVE else value <= limit

    return (
        Level.ALARM if past(indicator.alarm) else Level.WARN if past(indicator.warn) else Level.OK
    )


def anomaly_of(
    value: float | None, history: list[float], k: float
) -> tuple[bool, float | None, float | None]:
    """(anomalous, mean, sd): the value is outside mean ± k·sd of its history (population
    standard deviation); a flat history (sd 0) makes any other value anomalous."""
    if len(history) < BASELINE_MIN_DAYS:
        return False, None, None
    mean = statistics.fmean(history)
    sd = statistics.pstdev(history, mu=mean)
    if value is None or k <= 0:
        return False, mean, sd
    return abs(value - mean) > k * sd if sd > 0 else value != mean, mean, sd


@dataclass(frozen=True, slots=True)
class Computed:
    """An indicator's figures for one day, before they are saved as a reading."""

    period: dt.date
    value: float | None
    level: str
    anomaly: bool
    mean: float | None
    sd: float | None
    detail: dict[str, Any]


def indicator_compute(indicator: Indicator, period: dt.date) -> Computed:
    """The figures of `indicator` for `period`, read only (the command's dry run): the
    value, its light, the 28 days before it and the anomaly rule, the districts."""
    start = period - dt.timedelta(days=BASELINE_DAYS)
    formula = parse_formula(
        measure=indicator.measure,
        field_name=indicator.field,
        filters=indicator.filters,
        columns=columns_of(indicator),
    )
    con = duckdb_connect(memory_limit="1GB", threads=1)
    table = source_table(con, indicator, start=start, end=period)
    by_day = {
        r["day"]: r["value"]
        for r in evaluate(con, table, formula, start=start, end=period, group_by=("day",))
    }
    empty = None if formula.measure == Measure.AVG else 0.0
    days = [start + dt.timedelta(days=n) for n in range(BASELINE_DAYS + 1)]
    series = [(d, by_day.get(d, empty)) for d in days]
    value = series[-1][1]
    districts: dict[str, float | None] = {}
    if indicator.group_by == GroupBy.DISTRICT:
        rows = evaluate(con, table, formula, start=period, end=period, group_by=("district",))
        districts = {r["district"]: r["value"] for r in rows if r["district"]}
    history = [v for _d, v in series[:-1] if v is not None]
    anomaly, mean, sd = anomaly_of(value, history, indicator.anomaly_k)
    return Computed(
        period=period,
        value=value,
        level=level_of(indicator, value),
        anomaly=anomaly,
        mean=mean,
        sd=sd,
        detail={"districts": districts, "series": [[d.isoformat(), v] for d, v in series]},
    )


def indicator_evaluate(
    *, actor: Actor, indicator: Indicator, period: dt.date | None = None
) -> Reading:
    """Evaluate `indicator` for `period` (today, Beijing time, by default): a new reading
    with its light, the district breakdown and the 28-day series, and an alert filed for an
    alarm or an anomaly (once per indicator, day and kind)."""
    c = indicator_compute(indicator, period or timezone.localdate())
    now = timezone.now()
    with transaction.atomic():
        reading = Reading.objects.create(
            indicator=indicator,
            version=indicator.version,
            period=c.period,
            value=c.value,
            level=c.level,
            anomaly=c.anomaly,
            mean=c.mean,
            sd=c.sd,
            detail=c.detail,
            evaluated_at=now,
        )
        Indicator.objects.filter(pk=indicator.pk).update(
            next_run_at=now + dt.timedelta(minutes=indicator.refresh_minutes)
        )
        audit_record(
            actor=actor,
            action="opscentre.indicator_evaluate",
            target=indicator,
            after={"period": c.period, "value": c.value, "level": c.level, "anomaly": c.anomaly},
        )
    if reading.level == Level.ALARM:
        _alert(indicator, reading, AlertKind.THRESHOLD)
    if c.anomaly:
        _alert(indicator, reading, AlertKind.ANOMALY)
    return reading


def _figure(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def _alert(indicator: Indicator, reading: Reading, kind: str) -> Alert | None:
    """File the alert once: the unique (indicator, day, kind) row and the order's
    `source_ref` both stop a second one (a re-evaluation, two workers racing)."""
    period = reading.period.isoformat()
    subject = gettext("城市运行指标%(kind)s：%(name)s（%(day)s）") % {
        "kind": AlertKind(kind).label,
        "name": indicator.name,
        "day": period,
    }
    if kind == AlertKind.THRESHOLD:
        body = gettext(
            "指标 %(code)s %(name)s 在 %(day)s 的值为 %(value)s%(uom)s，"
            "已达告警阈值 %(alarm)s。请核查原因并反馈处置情况。"
        )
    else:
        body = gettext(
            "指标 %(code)s %(name)s 在 %(day)s 的值为 %(value)s%(uom)s，"
            "超出近 28 日均值 %(mean)s ± %(k)s 倍标准差 %(sd)s 的范围。请核查原因并反馈处置情况。"
        )
    body = body % {
        "code": indicator.code,
        "name": indicator.name,
        "day": period,
        "value": _figure(reading.value),
        "uom": indicator.unit_of_measure,
        "alarm": _figure(indicator.alarm),
        "mean": _figure(round(reading.mean, 2) if reading.mean is not None else None),
        "sd": _figure(round(reading.sd, 2) if reading.sd is not None else None),
        "k": _figure(indicator.anomaly_k),
    }
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                indicator=indicator, period=reading.period, kind=kind, reading=reading
            )
            order, _created = work_order_raise_alert(
                actor=Actor.system("opscentre"),
                unit=indicator.owner,
                subject=subject,
                body=body,
                source_ref=f"opscentre:{indicator.code}:{period}:{kind}",
            )
            alert.work_order = order
            alert.save(update_fields=["work_order", "updated_at"])
    except IntegrityError:
        return None  # filed already for this day
    except ApplicationError as exc:
        # The reading stands; an owner unit that cannot take orders is logged, not fatal.
        logger.warning("opscentre alert %s/%s not filed: %s", indicator.code, period, exc.code)
        return None
    return alert


def indicators_evaluate_due(*, actor: Actor, now: dt.datetime | None = None) -> list[Reading]:
    """Evaluate every active indicator whose refresh is due; one that fails (a dataset
    file unreadable, a definition its dataset no longer fits) is logged and the others run."""
    now = now or timezone.now()
    due = Indicator.objects.filter(active=True).select_related("owner", "dataset")
    readings = []
    for indicator in due:
        if indicator.next_run_at is not None and indicator.next_run_at > now:
            continue
        try:
            readings.append(indicator_evaluate(actor=actor, indicator=indicator))
        except (ApplicationError, OSError) as exc:
            logger.warning("indicator %s not evaluated: %s", indicator.code, exc)
    return readings
