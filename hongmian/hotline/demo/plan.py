"""Planning the hotline demo: which scenario each order lives, and when each of its acts
happens — drawn in full before anything is written, so that the same seed always plans the
same orders.

The mix: channels phone-heavy, districts by population, topics and request types as a big
centre sees them (topics.py), and scenarios weighted so that most orders are closed and
recent ones still open. The first orders take every scenario once, so even a small seed
(tests use 60) holds every status. Each plan is placed in the SPAN_DAYS before `now`: its
steps follow office hours where a unit acts, and none falls after `now`.

An open order whose clock is running at `now` is placed by that clock, not by an age in
days: where `now` falls on it (green, yellow or past the deadline) is drawn from
OPEN_LIGHTS, with the limits of the SLA rule that will govern the order (docs/decisions/
0035: a centre keeps about nine in ten open orders on time, and so does the demo).

Not a public API: `hongmian.hotline.demo.seed` is the seed's entry point; runner.py carries
the plans out.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hongmian.core import calendar, deadlines
from hongmian.hotline.demo.text import (
    CategoryRef,
    RequestText,
    TextGenerator,
    Topic,
    topic_categories,
)
from hongmian.hotline.demo.topics import TOPICS
from hongmian.hotline.models import Category, WorkOrder
from hongmian.hotline.services import lifecycle_closing, sla
from hongmian.hotline.states import (
    ClockKind,
    ClockLight,
    ClockUnit,
    Satisfaction,
    Status,
    SupervisionKind,
)

RANDOM_SEED = 12345
SPAN_DAYS = 90
ARCHIVE_AFTER_DAYS = (10, 30)  # closed orders are archived this many days later
_MINUTE = dt.timedelta(minutes=1)
# Time a master order leaves before `now` for its duplicate's intake and merge (≤ 4 h).
_MASTER_ROOM = dt.timedelta(hours=6)


# --- scenarios ------------------------------------------------------------------------------

# name → (weight, open?, age window in days for open ones). Open scenarios are recent; closed
# ones fall anywhere in the last SPAN_DAYS.
SCENARIOS: dict[str, tuple[float, bool, tuple[float, float]]] = {
    "direct": (27, False, (0, 0)),
    "standard": (31, False, (0, 0)),
    "cohandle": (4, False, (0, 0)),
    "return_accepted": (3, False, (0, 0)),
    "return_refused": (2, False, (0, 0)),
    "joint_meeting_closed": (1, False, (0, 0)),
    "extension_approved": (3, False, (0, 0)),
    "extension_refused": (1, False, (0, 0)),
    "supervised": (3, False, (0, 0)),
    "reopened": (2, False, (0, 0)),
    "review_closed": (1.5, False, (0, 0)),
    "unreachable": (1.5, False, (0, 0)),
    "merged_closed": (1, False, (0, 0)),
    "open_received": (1.5, True, (0, 0.2)),
    # These four are placed on their running clock (RUNNING_CLOCK), not by an age.
    "open_dispatched": (3, True, (0, 0)),
    "open_acknowledged": (6, True, (0, 0)),
    "open_extension_pending": (1, True, (0, 0)),
    "open_return_requested": (1, True, (0, 0)),
    "open_joint_meeting": (0.5, True, (1, 5)),
    "open_replied": (4, True, (0.5, 4)),
    "open_callback_review": (1, True, (0.5, 4)),
    "open_merged": (1, True, (1, 10)),
}
# The status each open scenario leaves its order in (the closed ones end closed or archived).
SCENARIO_STATUS = {
    "open_received": Status.RECEIVED,
    "open_dispatched": Status.DISPATCHED,
    "open_acknowledged": Status.ACKNOWLEDGED,
    "open_extension_pending": Status.ACKNOWLEDGED,
    "open_return_requested": Status.RETURN_REQUESTED,
    "open_joint_meeting": Status.JOINT_MEETING,
    "open_replied": Status.REPLIED,
    "open_callback_review": Status.CALLBACK_REVIEW,
    "open_merged": Status.MERGED,
}
# Scenarios that make a duplicate: a master order comes first, in its own plan.
_MERGES = {"merged_closed": "standard", "open_merged": "open_acknowledged"}

# The clock an open scenario leaves running at `now`: the acknowledge clock until a unit
# 签收 (a 退单 request does not stop it), then the resolution clock (the unit's first
# progress note has stopped the first-response clock by then). Both start at dispatch.
RUNNING_CLOCK = {
    "open_dispatched": ClockKind.ACKNOWLEDGE,
    "open_return_requested": ClockKind.ACKNOWLEDGE,
    "open_acknowledged": ClockKind.RESOLUTION,
    "open_extension_pending": ClockKind.RESOLUTION,
}
# Where `now` falls on that clock: light → (share of those orders, lowest, highest position).
# Green and yellow positions are shares of the light's own span (start → warning, warning
# → deadline); red is how far past the deadline, as a share of the whole allowed time. Acts
# that must still fit before `now` push some orders later (at night most pending 退单
# requests have outrun their 签收 clock), so the board shows more red than drawn: about one
# open order in ten overdue and one in fifteen warned — a centre that keeps roughly nine in
# ten on time, with every light on the board (decision 0035 has the figures).
OPEN_LIGHTS: dict[str, tuple[float, float, float]] = {
    ClockLight.GREEN: (0.82, 0.05, 0.95),
    ClockLight.YELLOW: (0.13, 0.1, 0.9),
    ClockLight.RED: (0.05, 0.02, 0.6),
}

# The limits of the SLA rule that will govern a plan's order.
ClockLimits = Callable[["Plan"], sla.Limits]


@dataclass
class Step:
    at: dt.datetime
    kind: str
    args: dict[str, Any] = field(default_factory=dict)


@dataclass
class Plan:
    index: int
    scenario: str
    request: RequestText
    channel: str
    request_type: str
    priority: str
    is_enterprise: bool
    is_emergency: bool
    created: dt.datetime
    steps: list[Step]
    master: Plan | None = None
    order: WorkOrder | None = None

    @property
    def live(self) -> WorkOrder:
        """The order, once intake has made it (every later step runs after intake)."""
        if self.order is None:
            raise RuntimeError(f"plan {self.index}: a step ran before its intake")
        return self.order


def _urgency(rng: random.Random, topic: Topic) -> str:
    roll = rng.random()
    if roll < topic.emergency_share:
        return "emergency"
    if roll < topic.emergency_share + topic.urgent_share:
        return "urgent"
    return "normal"


def topic_category_map() -> dict[str, Category]:
    """Topic key → the active category its orders are filed under (see
    `text.topic_categories`); topics nothing fits are left out."""
    refs = [
        CategoryRef(c.code, c.name, c.level, c.keywords)
        for c in Category.objects.filter(is_active=True)
    ]
    codes = topic_categories(refs)
    by_code = {c.code: c for c in Category.objects.filter(code__in=codes.values())}
    return {key: by_code[code] for key, code in codes.items()}


def rule_limits(now: dt.datetime) -> ClockLimits:
    """The limits the SLA engine will give each plan's order: its rule chosen as at
    dispatch (`sla.sla_rule_for` on an unsaved order with the plan's facts), the fallback
    limits when no rule is loaded. Cached per distinct set of facts."""
    categories = topic_category_map()
    cache: dict[tuple[str, str, str, bool], sla.Limits] = {}

    def limits(plan: Plan) -> sla.Limits:
        topic = plan.request.topic.key
        key = (topic, plan.request_type, plan.priority, plan.is_emergency)
        if key not in cache:
            order = WorkOrder(
                category=categories.get(topic),
                request_type=plan.request_type,
                priority=plan.priority,
                is_emergency=plan.is_emergency,
            )
            rule = sla.sla_rule_for(order, at=now)
            cache[key] = sla.rule_limits(rule) if rule is not None else sla.FALLBACK_LIMITS
        return cache[key]

    return limits


class _Planner:
    """Draws what happens to each order and when, before anything is written."""

    def __init__(self, rng: random.Random, now: dt.datetime, limits: ClockLimits) -> None:
        self.rng = rng
        self.gen = TextGenerator(rng)
        self.now = now
        self.limits = limits
        self.direct_topics = [t for t in TOPICS if t.direct_share > 0]

    def scenarios(self, count: int) -> list[str]:
        names = list(SCENARIOS)
        weights = [SCENARIOS[n][0] for n in names]
        first = names[: min(count, len(names))]
        return first + self.rng.choices(names, weights=weights, k=max(0, count - len(first)))

    # Times of the unit's acts follow office hours; the centre answers around the clock.
    def work(self, start: dt.datetime, hours: float) -> dt.datetime:
        return calendar.add_work_hours(start, round(hours, 2))

    def reply_after(self, start: dt.datetime, plan: Plan, r: random.Random) -> dt.datetime:
        """When the unit replies, from `start`: mostly well within the resolution limit of
        the order's SLA rule, one in ten late (a centre's usual on-time rate)."""
        share = r.uniform(0.1, 0.85) if r.random() > 0.1 else r.uniform(1.05, 1.6)
        unit, amount = self.limits(plan).resolution
        due = deadlines.deadline(start, unit, amount)
        if unit == ClockUnit.NATURAL_HOURS:
            return start + (due - start) * share
        allowed = calendar.working_time_between(start, due).total_seconds() / 3600
        return self.work(start, allowed * share)

    def unit_pace(self, plan: Plan) -> Callable[[dt.datetime, float], dt.datetime]:
        """How a unit's acts are timed: in office hours, except under a rule counted in
        natural hours (urgent orders, utilities, emergencies) — then round the clock, and
        as much faster as the rule's 签收 limit is shorter than two hours."""
        unit, amount = self.limits(plan).acknowledge
        if unit != ClockUnit.NATURAL_HOURS:
            return self.work
        pace = min(float(amount) / 2, 1.0)
        return lambda start, hours: start + dt.timedelta(hours=hours * pace)

    def plan(
        self, index: int, scenario: str, master: Plan | None = None, *, is_master: bool = False
    ) -> Plan:
        rng, gen = self.rng, self.gen
        if master is not None:
            topic = master.request.topic
            request = gen.request(topic, master.request.place)
            request_type = master.request_type
        elif scenario == "direct":
            weights = [t.weight for t in self.direct_topics]
            topic = rng.choices(self.direct_topics, weights=weights)[0]
            request = gen.request(topic)
            request_type = "inquiry"
        else:
            topic = gen.topic()
            request = gen.request(topic)
            request_type = gen.request_type(topic)
        priority = _urgency(rng, topic)
        plan = Plan(
            index=index,
            scenario=scenario,
            request=request,
            channel=gen.channel(),
            request_type=request_type,
            priority=priority,
            is_enterprise=rng.random() < topic.enterprise_share,
            is_emergency=rng.random() < topic.zone_share,
            created=self.now,
            steps=[],
            master=master,
        )
        self._place_in_time(plan, archive=not is_master)
        return plan

    def _place_in_time(self, plan: Plan, *, archive: bool) -> None:
        _weight, is_open, (young, old) = SCENARIOS[plan.scenario]
        rng = self.rng
        anchor = self.now - dt.timedelta(days=SPAN_DAYS)
        steps = self._steps(plan, anchor)
        duration = (steps[-1].at if steps else anchor) - anchor
        if plan.master is not None:
            # A duplicate comes after its master's last act, and is merged soon after.
            earliest = plan.master.steps[-1].at if plan.master.steps else plan.master.created
            latest = self.now - duration - _MINUTE
            created = earliest + (latest - earliest) * rng.uniform(0.05, 0.5)
            created = min(max(created, earliest + _MINUTE), latest)
        elif plan.scenario in RUNNING_CLOCK:
            created = self._on_its_clock(plan, RUNNING_CLOCK[plan.scenario], duration)
            if not archive:
                # A master: its duplicate comes after its last act and is merged within
                # hours, all before `now` (the seed makes the master first).
                created = min(created, self.now - duration - _MASTER_ROOM)
        elif is_open:
            created = self.now - dt.timedelta(days=rng.uniform(young, old)) - duration
        else:
            latest = self.now - duration - dt.timedelta(days=1)
            created = anchor + (latest - anchor) * rng.random()
        created = max(created, anchor)
        steps = self._steps(plan, created)
        overrun = (steps[-1].at if steps else created) - (self.now - _MINUTE)
        if overrun > dt.timedelta():
            created -= overrun
            steps = self._steps(plan, created)
            # Office-hour arithmetic may land a little differently after the move.
            last = steps[-1].at if steps else created
            if last > self.now - _MINUTE:
                shift = last - (self.now - _MINUTE)
                created -= shift
                for s in steps:
                    s.at -= shift
        # A master stays unarchived: its duplicates are merged into it later.
        if archive and not is_open and steps:
            archived_at = steps[-1].at + dt.timedelta(days=rng.uniform(*ARCHIVE_AFTER_DAYS))
            if archived_at < self.now - _MINUTE and rng.random() < 0.7:
                steps.append(Step(archived_at, "archive"))
        plan.created, plan.steps = created, steps

    def _on_its_clock(self, plan: Plan, kind: str, duration: dt.timedelta) -> dt.datetime:
        """The intake time that puts `now` where OPEN_LIGHTS drew it on the plan's running
        clock. The clock starts at dispatch; its deadline follows office hours, so the
        intake time is found by a few rounds of moving it by the remaining miss. Acts the
        plan still has to fit before `now` may push an order later on its clock."""
        r = random.Random(f"{RANDOM_SEED}:{plan.index}:clock")  # noqa: S311  # demo data
        lights = list(OPEN_LIGHTS)
        light = r.choices(lights, weights=[OPEN_LIGHTS[x][0] for x in lights])[0]
        _share, low, high = OPEN_LIGHTS[light]
        position = r.uniform(low, high)
        limits = self.limits(plan)
        unit, amount = limits.for_kind(kind)
        created = self.now - duration - dt.timedelta(hours=1)
        for _ in range(4):
            steps = self._steps(plan, created)
            start = next(s.at for s in steps if s.kind == "dispatch")
            due = deadlines.deadline(start, unit, amount)
            warn = deadlines.warning_at(start, due, unit, limits.yellow_ratio)
            if light == ClockLight.GREEN:
                target = start + (warn - start) * position
            elif light == ClockLight.YELLOW:
                target = warn + (due - warn) * position
            else:
                target = due + (due - start) * position
            miss = self.now - target
            if abs(miss) < _MINUTE:
                break
            created += miss
        return created

    def _steps(self, plan: Plan, t0: dt.datetime) -> list[Step]:
        """The acts after intake, at their historical times, from intake at `t0`."""
        s = plan.scenario
        # A generator of the plan's own: placing a plan in time computes its steps more than
        # once, and each time must draw the same acts.
        r = random.Random(f"{RANDOM_SEED}:{plan.index}")  # noqa: S311  # demo data, not secrets
        steps: list[Step] = []
        unit_act = self.unit_pace(plan)  # the unit's acts; the centre's follow office hours

        def add(at: dt.datetime, act: str, **args: Any) -> dt.datetime:
            steps.append(Step(at, act, args))
            return at

        if s == "open_received":
            return steps
        if s == "direct":
            add(t0 + dt.timedelta(minutes=r.uniform(2, 12)), "direct_answer")
            return steps
        if plan.master is not None:
            add(t0 + dt.timedelta(minutes=r.uniform(20, 240)), "merge")
            return steps
        t = add(t0 + dt.timedelta(minutes=r.uniform(5, 90)), "dispatch", co=s == "cohandle")
        if s == "open_dispatched":
            return steps
        if s in (
            "return_accepted",
            "return_refused",
            "joint_meeting_closed",
            "open_return_requested",
            "open_joint_meeting",
        ):
            t = add(unit_act(t, r.uniform(0.2, 1.5)), "return_request")
            if s == "open_return_requested":
                return steps
            verdict = {"return_accepted": "accept", "return_refused": "refuse"}.get(s, "joint")
            t = add(t + dt.timedelta(hours=r.uniform(1, 20)), "return_review", verdict=verdict)
            if s == "open_joint_meeting":
                return steps
            if verdict == "joint":
                t = add(self.work(t, r.uniform(4, 16)), "joint_meeting")
        t = add(unit_act(t, r.uniform(0.1, 1.8)), "acknowledge")
        if r.random() < 0.3:
            t = add(unit_act(t, r.uniform(0.5, 8)), "subdispatch")
            t = add(unit_act(t, r.uniform(0.1, 1.5)), "acknowledge")
        if s == "cohandle":
            t = add(unit_act(t, r.uniform(0.2, 2)), "co_acknowledge")
            t = add(unit_act(t, r.uniform(2, 24)), "co_reply")
        if r.random() < 0.3 or s.startswith("open_"):
            t = add(unit_act(t, r.uniform(0.5, 6)), "progress")
        if s in ("supervised",):
            t = add(unit_act(t, r.uniform(8, 40)), "supervise", kind=SupervisionKind.URGE)
            t = add(unit_act(t, r.uniform(4, 24)), "supervise", kind=SupervisionKind.SUPERVISE)
        if s == "open_acknowledged":
            if r.random() < 0.2:
                add(unit_act(t, r.uniform(8, 40)), "supervise", kind=SupervisionKind.URGE)
            return steps
        if s in ("extension_approved", "extension_refused", "open_extension_pending"):
            t = add(unit_act(t, r.uniform(4, 30)), "extension_request")
            if s == "open_extension_pending":
                return steps
            approve = s == "extension_approved"
            t = add(t + dt.timedelta(hours=r.uniform(1, 12)), "extension_decide", approve=approve)
        reply_at = self.reply_after(t, plan, r)
        t = add(max(reply_at, t + _MINUTE), "reply")
        if s == "open_replied":
            if r.random() < 0.3:
                add(self.work(t, r.uniform(2, 10)), "callback", outcome="unreached")
            return steps
        callback_at = self.work(t, r.uniform(2, 20))
        if s == "unreachable":
            for _ in range(lifecycle_closing.UNREACHABLE_TRIES):
                t = add(callback_at, "callback", outcome="unreached")
                callback_at = self.work(t, r.uniform(2, 8))
            return steps
        if s in ("reopened", "review_closed", "open_callback_review"):
            t = add(callback_at, "callback", outcome=Satisfaction.DISSATISFIED)
            if s == "open_callback_review":
                return steps
            t = add(
                t + dt.timedelta(hours=r.uniform(2, 30)), "callback_review", reopen=s == "reopened"
            )
            if s == "review_closed":
                return steps
            t = add(unit_act(t, r.uniform(0.1, 2)), "acknowledge")
            t = add(self.reply_after(t, plan, r), "reply")
            callback_at = self.work(t, r.uniform(2, 20))
        outcome = Satisfaction.SATISFIED if r.random() < 0.8 else Satisfaction.BASIC
        add(callback_at, "callback", outcome=outcome)
        return steps


# --- planning the whole seed -------------------------------------------------------------------


def plan_orders(count: int, *, now: dt.datetime) -> list[Plan]:
    """What the seed will do, in the order it happened (by intake time). Reads the loaded
    categories and SLA rules (hotline_defaults_load first) to place open orders."""
    rng = random.Random(RANDOM_SEED)  # noqa: S311  # reproducible demo data, not secrets
    planner = _Planner(rng, now, rule_limits(now))
    plans: list[Plan] = []
    for scenario in planner.scenarios(count):
        if len(plans) >= count:
            break
        master_scenario = _MERGES.get(scenario)
        if master_scenario is not None and len(plans) + 2 <= count:
            master = planner.plan(len(plans), master_scenario, is_master=True)
            plans.append(master)
            plans.append(planner.plan(len(plans), scenario, master=master))
        elif master_scenario is None:
            plans.append(planner.plan(len(plans), scenario))
    plans.sort(key=lambda p: (p.created, p.index))
    return plans
