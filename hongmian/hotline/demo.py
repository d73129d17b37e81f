"""Demo data for the hotline: the default taxonomy, SLA rules and dispatch catalogue, then a
few thousand orders over the last 90 days in every state an order can be in. Called by
`hongmian seed_demo` as `seed(actor=Actor.system("seed_demo"), progress=…)`, after identity
(units, demo logins, persons) and geo.

Every order lives its life through the real services — intake, dispatch (the catalogue
decides; a topic's usual unit when it cannot), 下派, 签收, notes, 退单 and its review, joint
meetings, extensions, 催办/督办, co-handling, the reply, callbacks, reopening, merging and
archiving — in the order it happened. The services stamp "now"; `demo_time` then moves
every timestamp to the historical moment of its step (see that module for why and how).

The mix: channels phone-heavy, districts by population, topics and request types as a
big centre sees them (demo_topics.py), and scenarios weighted so that most orders are
closed and recent ones still open. The first orders take every scenario once, so even a
small seed (tests use 60) holds every status.

Deterministic (RANDOM_SEED) and idempotent: seeded orders carry `external_ref` "demo:NNNNN";
when any exists the seeder stops, so a second run adds nothing. The historical anchor is
the moment of seeding: the same seed gives the same orders, dated back from that day.

Actors: the demo logins where one exists (agent 李晓华 takes calls, dispatches and calls
back; supervisor 张建国 supervises and reviews; handler_water and the 天河 handlers act for
their units). Units without a demo login act as the system under the unit's name, which
the timeline shows as such.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.tasks.base import TaskResultStatus
from django.utils import timezone

from hongmian.core import calendar
from hongmian.core.actors import Actor
from hongmian.core.errors import ApplicationError
from hongmian.hotline import demo_text as texts
from hongmian.hotline.demo_text import (
    CategoryRef,
    RequestText,
    TextGenerator,
    Topic,
    resolve_unit,
    topic_categories,
)
from hongmian.hotline.demo_time import HistoryClock, history_apply
from hongmian.hotline.demo_topics import TOPICS
from hongmian.hotline.models import Category, ExtensionRequest, SlaClock, WorkOrder
from hongmian.hotline.services import catalogue, lifecycle
from hongmian.hotline.services.defaults import hotline_defaults_load
from hongmian.hotline.services.intake import work_order_intake
from hongmian.hotline.states import (
    AssignmentRole,
    AssignmentStatus,
    ClassifierTarget,
    ClockKind,
    ClockUnit,
    ExtensionStatus,
    ReturnReason,
    Satisfaction,
    Status,
    SupervisionKind,
)
from hongmian.identity import fakes
from hongmian.identity.models import Enterprise, OrgUnit, Person, User
from hongmian.identity.states import UnitKind

Progress = Callable[[str, int, int], None]

RANDOM_SEED = 12345
# Below this many demo orders (the tests' small seeds) no model is trained and no scan run.
INTELLIGENCE_MIN_ORDERS = 500
DEMO_REF = "demo:"
SPAN_DAYS = 90
ARCHIVE_AFTER_DAYS = (10, 30)  # closed orders are archived this many days later
_MINUTE = dt.timedelta(minutes=1)


def order_count() -> int:
    """How many orders `seed` makes: HONGMIAN_DEMO_HOTLINE_ORDERS (default 3,000)."""
    return int(settings.HONGMIAN_DEMO_HOTLINE_ORDERS)


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
    "open_dispatched": (3, True, (0, 3)),
    "open_acknowledged": (6, True, (0.5, 20)),
    "open_extension_pending": (1, True, (2, 10)),
    "open_return_requested": (1, True, (0, 1)),
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


class _Planner:
    """Draws what happens to each order and when, before anything is written."""

    def __init__(self, rng: random.Random, now: dt.datetime) -> None:
        self.rng = rng
        self.gen = TextGenerator(rng)
        self.now = now
        self.direct_topics = [t for t in TOPICS if t.direct_share > 0]

    def scenarios(self, count: int) -> list[str]:
        names = list(SCENARIOS)
        weights = [SCENARIOS[n][0] for n in names]
        first = names[: min(count, len(names))]
        return first + self.rng.choices(names, weights=weights, k=max(0, count - len(first)))

    # Times of the unit's acts follow office hours; the centre answers around the clock.
    def work(self, start: dt.datetime, hours: float) -> dt.datetime:
        return calendar.add_work_hours(start, round(hours, 2))

    def resolution_hours(self, request_type: str, priority: str) -> tuple[bool, float]:
        """(natural hours?, the time a unit is allowed) — roughly the default SLA rules."""
        if priority == "emergency":
            return True, 2
        if priority == "urgent":
            return True, 24
        days = {"inquiry": 3, "help": 5}.get(request_type, 15)
        return False, days * 7  # seven office hours a working day

    def reply_after(self, start: dt.datetime, request_type: str, priority: str) -> dt.datetime:
        natural, allowed = self.resolution_hours(request_type, priority)
        share = (
            self.rng.uniform(0.1, 0.85) if self.rng.random() > 0.1 else self.rng.uniform(1.05, 1.6)
        )
        if natural:
            return start + dt.timedelta(hours=allowed * share)
        return self.work(start, allowed * share)

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

    def _steps(self, plan: Plan, t0: dt.datetime) -> list[Step]:
        """The acts after intake, at their historical times, from intake at `t0`."""
        s = plan.scenario
        # A generator of the plan's own: placing a plan in time computes its steps more than
        # once, and each time must draw the same acts.
        r = random.Random(f"{RANDOM_SEED}:{plan.index}")  # noqa: S311  # demo data, not secrets
        steps: list[Step] = []

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
            t = add(self.work(t, r.uniform(0.2, 3)), "return_request")
            if s == "open_return_requested":
                return steps
            verdict = {"return_accepted": "accept", "return_refused": "refuse"}.get(s, "joint")
            t = add(t + dt.timedelta(hours=r.uniform(1, 20)), "return_review", verdict=verdict)
            if s == "open_joint_meeting":
                return steps
            if verdict == "joint":
                t = add(self.work(t, r.uniform(4, 16)), "joint_meeting")
        t = add(self.work(t, r.uniform(0.1, 1.8)), "acknowledge")
        if r.random() < 0.3:
            t = add(self.work(t, r.uniform(0.5, 8)), "subdispatch")
            t = add(self.work(t, r.uniform(0.1, 1.5)), "acknowledge")
        if s == "cohandle":
            t = add(self.work(t, r.uniform(0.2, 2)), "co_acknowledge")
            t = add(self.work(t, r.uniform(2, 24)), "co_reply")
        if r.random() < 0.3 or s.startswith("open_"):
            t = add(self.work(t, r.uniform(0.5, 6)), "progress")
        if s in ("supervised",):
            t = add(self.work(t, r.uniform(8, 40)), "supervise", kind=SupervisionKind.URGE)
            t = add(self.work(t, r.uniform(4, 24)), "supervise", kind=SupervisionKind.SUPERVISE)
        if s == "open_acknowledged":
            if r.random() < 0.2:
                add(self.work(t, r.uniform(8, 40)), "supervise", kind=SupervisionKind.URGE)
            return steps
        if s in ("extension_approved", "extension_refused", "open_extension_pending"):
            t = add(self.work(t, r.uniform(4, 30)), "extension_request")
            if s == "open_extension_pending":
                return steps
            approve = s == "extension_approved"
            t = add(t + dt.timedelta(hours=r.uniform(1, 12)), "extension_decide", approve=approve)
        reply_at = self.reply_after(t, plan.request_type, plan.priority)
        t = add(max(reply_at, t + _MINUTE), "reply")
        if s == "open_replied":
            if r.random() < 0.3:
                add(self.work(t, r.uniform(2, 10)), "callback", outcome="unreached")
            return steps
        callback_at = self.work(t, r.uniform(2, 20))
        if s == "unreachable":
            for _ in range(lifecycle.UNREACHABLE_TRIES):
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
            t = add(self.work(t, r.uniform(0.1, 2)), "acknowledge")
            t = add(self.reply_after(t, plan.request_type, plan.priority), "reply")
            callback_at = self.work(t, r.uniform(2, 20))
        outcome = Satisfaction.SATISFIED if r.random() < 0.8 else Satisfaction.BASIC
        add(callback_at, "callback", outcome=outcome)
        return steps


# --- running the plans -------------------------------------------------------------------------


class _Runner:
    """Carries the plans out through the services, one step at a time, under the clock."""

    def __init__(self, *, actor: Actor, rng: random.Random, clock: HistoryClock) -> None:
        self.rng = rng
        self.gen = TextGenerator(rng)
        self.clock = clock
        self.system = actor
        self.units = {u.code: u for u in OrgUnit.objects.filter(is_active=True)}
        users = {u.username: u for u in User.objects.filter(username__in=_DEMO_USERNAMES)}
        self.agent = _user_actor(users.get("agent")) or actor
        self.supervisor = _user_actor(users.get("supervisor")) or actor
        self.citizen = users.get("citizen")
        # Unit handlers from the identity demo, deepest unit first (a district's handler acts
        # for its streets too).
        self.handlers: list[tuple[str, User]] = sorted(
            (
                (u.org_unit.path, u)
                for u in users.values()
                if u.org_unit is not None and u.username.startswith(("handler_", "manager_"))
            ),
            key=lambda pair: (-len(pair[0]), pair[1].username),
        )
        self.persons = list(Person.objects.order_by("pk")[:200])
        self.enterprises = list(Enterprise.objects.order_by("pk")[:50])
        refs = [
            CategoryRef(c.code, c.name, c.level, c.keywords)
            for c in Category.objects.filter(is_active=True)
        ]
        codes = topic_categories(refs)
        by_code = {c.code: c for c in Category.objects.filter(code__in=codes.values())}
        self.categories = {key: by_code[code] for key, code in codes.items()}
        self._unit_actors: dict[int, Actor] = {}

    # --- who acts ---

    def unit_actor(self, unit: OrgUnit) -> Actor:
        found = self._unit_actors.get(unit.pk)
        if found is None:
            handler = next((h for path, h in self.handlers if unit.path.startswith(path)), None)
            found = _user_actor(handler) or Actor(user=None, via="system", label=unit.name)
            self._unit_actors[unit.pk] = found
        return found

    def lead_actor(self, order: WorkOrder) -> Actor:
        assert order.lead_unit is not None  # noqa: S101  # every unit step follows a dispatch
        return self.unit_actor(order.lead_unit)

    def unit(self, code: str) -> OrgUnit | None:
        return self.units.get(code)

    def fallback_unit(self, plan: Plan, exclude: set[int]) -> OrgUnit:
        """A unit that could handle the plan's topic, other than `exclude`: the topic's
        usual units, then the district of the place, then the city's urban management."""
        place = plan.request.place
        region = place.district_code[:6] if place else "440106"
        candidates = [resolve_unit(spec, place, region) for spec in plan.request.topic.units]
        candidates += [f"gz-{region}", "gz-urban", "gz-12345"]
        for code in candidates:
            unit = self.unit(code)
            if unit is not None and unit.pk not in exclude:
                return unit
        raise RuntimeError("identity demo units are missing: seed identity before hotline")

    # --- the steps ---

    def run(self, plan: Plan) -> None:
        self.clock.step(plan.created)
        self.intake(plan)
        self.clock.done()
        for step in plan.steps:
            self.clock.step(step.at)
            getattr(self, f"do_{step.kind}")(plan, **step.args)
            self.clock.done()

    def intake(self, plan: Plan) -> None:
        rng, request = self.rng, plan.request
        caller: dict[str, Any] = {}
        actor = self.agent
        online = plan.channel in ("web", "wechat", "app", "mini_program", "open311")
        if online and self.citizen is not None and rng.random() < 0.1:
            actor = _user_actor(self.citizen) or self.agent
        elif online:
            actor = Actor.system(f"channel:{plan.channel}")
        if actor.user is None or actor.user != self.citizen:
            if plan.is_enterprise and self.enterprises:
                enterprise = rng.choice(self.enterprises)
                caller = {
                    "caller_enterprise": enterprise,
                    "caller_name": enterprise.legal_representative,
                    "caller_phone": enterprise.contact_mobile,
                }
            elif self.persons and rng.random() < 0.15:
                person = rng.choice(self.persons)
                caller = {
                    "caller_person": person,
                    "caller_name": person.name,
                    "caller_phone": person.mobile,
                }
            else:
                caller = {
                    "caller_name": rng.choice(fakes.SURNAMES) + rng.choice(("先生", "女士")),
                    "caller_phone": fakes.mobile(rng),
                }
        order, _created = work_order_intake(
            actor=actor,
            channel=plan.channel,
            request_type=plan.request_type,
            title=request.title,
            content=request.content,
            address=request.place.address if request.place else "",
            category=self.categories.get(request.topic.key),
            priority=plan.priority,
            is_enterprise=plan.is_enterprise,
            is_emergency=plan.is_emergency,
            confidential=rng.random() < 0.03,
            external_ref=f"{DEMO_REF}{plan.index:05d}",
            **caller,
        )
        plan.order = order

    def do_direct_answer(self, plan: Plan) -> None:
        plan.order = lifecycle.work_order_direct_answer(
            actor=self.agent, order=plan.live, answer=self.gen.direct_answer(plan.request.topic)
        )

    def do_dispatch(self, plan: Plan, *, co: bool) -> None:
        order = plan.live
        suggestion = catalogue.dispatch_suggest(order)
        if suggestion is not None:
            lead, co_units = suggestion.lead_unit, list(suggestion.co_units)
        else:
            lead, co_units = self.fallback_unit(plan, set()), []
        if co and not co_units:
            co_units = [self.fallback_unit(plan, {lead.pk})]
        plan.order = lifecycle.work_order_dispatch(
            actor=self.agent, order=order, lead_unit=lead, co_units=co_units
        )

    def do_subdispatch(self, plan: Plan) -> None:
        order = plan.live
        lead = order.lead_unit
        if lead is None or lead.kind != UnitKind.DISTRICT_GOVERNMENT or not order.street_code:
            return  # 下派 is a district's act, to one of its own streets
        street = self.unit(f"gz-{order.street_code}")
        if street is None or not street.path.startswith(lead.path) or street.pk == lead.pk:
            return
        plan.order = lifecycle.work_order_subdispatch(
            actor=self.unit_actor(lead), order=order, unit=street, note="属地街道办理"
        )

    def do_acknowledge(self, plan: Plan) -> None:
        if plan.live.status == Status.ACKNOWLEDGED:
            return  # the 下派 before it did not apply: the order is still in the same hands
        plan.order = lifecycle.work_order_acknowledge(
            actor=self.lead_actor(plan.live), order=plan.live
        )

    def _co_units(self, order: WorkOrder) -> list[OrgUnit]:
        return [
            a.unit
            for a in order.assignments.filter(role=AssignmentRole.CO)
            .exclude(status=AssignmentStatus.WITHDRAWN)
            .select_related("unit")
        ]

    def do_co_acknowledge(self, plan: Plan) -> None:
        for unit in self._co_units(plan.live):
            actor = self.unit_actor(unit)
            # The system acting for a unit has no unit of its own, and acknowledge then takes
            # it for the lead; a co-handler without a demo login 签收 with its reply instead.
            if actor.user is not None:
                plan.order = lifecycle.work_order_acknowledge(actor=actor, order=plan.live)

    def do_co_reply(self, plan: Plan) -> None:
        system_replied = False
        for unit in self._co_units(plan.live):
            actor = self.unit_actor(unit)
            if actor.user is None:
                # Likewise co_reply as the system answers for the first co-handler only.
                if system_replied:
                    continue
                system_replied = True
            plan.order = lifecycle.work_order_co_reply(
                actor=actor, order=plan.live, reply=self.gen.pick(texts.PROGRESS_NOTES)
            )

    def do_progress(self, plan: Plan) -> None:
        plan.order = lifecycle.work_order_progress(
            actor=self.lead_actor(plan.live),
            order=plan.live,
            text=self.gen.pick(texts.PROGRESS_NOTES),
        )

    def do_return_request(self, plan: Plan) -> None:
        order = plan.live
        assert order.lead_unit is not None  # noqa: S101
        suggested = self.fallback_unit(plan, {order.lead_unit.pk})
        plan.order = lifecycle.work_order_return_request(
            actor=self.lead_actor(order),
            order=order,
            reason=self.rng.choice((ReturnReason.NOT_OUR_DUTY, ReturnReason.WRONG_AREA)),
            legal_basis=self.rng.choice(texts.LEGAL_BASES),
            explanation=self.rng.choice(texts.RETURN_EXPLANATIONS),
            suggested_unit=suggested,
        )

    def do_return_review(self, plan: Plan, *, verdict: str) -> None:
        plan.order = lifecycle.work_order_return_review(
            actor=self.agent,
            order=plan.live,
            accept=verdict == "accept",
            note={
                "accept": "退单理由成立，改派相关职能单位办理。",
                "refuse": "经审核，该事项属本单位职责，按首接负责制继续办理。",
                "joint": "职责存在交叉，提请联席会商确定承办单位。",
            }[verdict],
            to_joint_meeting=verdict == "joint",
        )

    def do_joint_meeting(self, plan: Plan) -> None:
        order = plan.live
        first = order.first_unit
        decided = self.fallback_unit(plan, {first.pk} if first else set())
        units = [u for u in (first, decided) if u is not None]
        held_at = self.clock.history[-1]
        plan.order = lifecycle.work_order_joint_meeting(
            actor=self.agent,
            order=order,
            units=units,
            decided_unit=decided,
            minutes=self.rng.choice(texts.MEETING_MINUTES).format(unit=decided.name),
            held_at=held_at,
        )

    def do_extension_request(self, plan: Plan) -> None:
        clock = SlaClock.objects.filter(
            order=plan.live, kind=ClockKind.RESOLUTION, stopped_at__isnull=True
        ).first()
        unit = clock.unit if clock else ClockUnit.WORKING_DAYS
        amounts: dict[str, int] = {ClockUnit.WORKING_DAYS: 5, ClockUnit.WORKING_HOURS: 16}
        amount = amounts.get(unit, 24)
        lifecycle.work_order_extension_request(
            actor=self.lead_actor(plan.live),
            order=plan.live,
            reason=self.rng.choice(texts.EXTENSION_REASONS),
            amount=amount,
        )

    def do_extension_decide(self, plan: Plan, *, approve: bool) -> None:
        pending = ExtensionRequest.objects.filter(
            order=plan.live, status=ExtensionStatus.PENDING
        ).first()
        assert pending is not None  # noqa: S101  # the plan asked for one just before
        plan.order = lifecycle.work_order_extension_decide(
            actor=self.agent,
            extension=pending,
            approve=approve,
            note="理由充分，同意延期。" if approve else "诉求事项不复杂，请按原时限办结。",
        )

    def do_supervise(self, plan: Plan, *, kind: str) -> None:
        actor = self.supervisor if kind == SupervisionKind.SUPERVISE else self.agent
        plan.order = lifecycle.work_order_supervise(
            actor=actor, order=plan.live, kind=kind, note=self.rng.choice(texts.SUPERVISION_NOTES)
        )

    def do_reply(self, plan: Plan) -> None:
        plan.order = lifecycle.work_order_reply(
            actor=self.lead_actor(plan.live),
            order=plan.live,
            reply=self.gen.reply(plan.request.topic),
        )

    def do_callback(self, plan: Plan, *, outcome: str) -> None:
        reached = outcome != "unreached"
        resolved = None if not reached else outcome != Satisfaction.DISSATISFIED
        plan.order = lifecycle.work_order_callback(
            actor=self.agent,
            order=plan.live,
            reached=reached,
            satisfaction=outcome if reached else "",
            resolved=resolved,
            comment=self.rng.choice(texts.CALLBACK_COMMENTS[outcome]),
        )

    def do_callback_review(self, plan: Plan, *, reopen: bool) -> None:
        plan.order = lifecycle.work_order_callback_review(
            actor=self.supervisor,
            order=plan.live,
            reopen=reopen,
            reason=self.rng.choice(texts.REVIEW_REASONS["reopen" if reopen else "close"]),
        )

    def do_merge(self, plan: Plan) -> None:
        assert plan.master is not None  # noqa: S101  # merge plans always have a master
        assert plan.master.order is not None  # noqa: S101  # which ran before them
        lifecycle.work_order_merge(
            actor=self.agent,
            master=plan.master.order,
            duplicates=[plan.live],
            note=self.rng.choice(texts.MERGE_NOTES),
        )

    def do_archive(self, plan: Plan) -> None:
        plan.order = lifecycle.work_order_archive(actor=self.agent, order=plan.live)


_DEMO_USERNAMES = (
    "agent",
    "supervisor",
    "citizen",
    "handler_water",
    "handler_tianhe",
    "manager_tianhe",
)


def _user_actor(user: User | None) -> Actor | None:
    return Actor(user=user, via="web", client_address="127.0.0.1") if user is not None else None


# --- seeding ----------------------------------------------------------------------------------


def plan_orders(count: int, *, now: dt.datetime) -> list[Plan]:
    """What the seed will do, in the order it happened (by intake time)."""
    rng = random.Random(RANDOM_SEED)  # noqa: S311  # reproducible demo data, not secrets
    planner = _Planner(rng, now)
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


def seed(
    *,
    actor: Actor,
    progress: Progress,
    count: int | None = None,
    now: dt.datetime | None = None,
) -> None:
    """`count` orders (HONGMIAN_DEMO_HOTLINE_ORDERS by default) over the SPAN_DAYS before
    `now` (the moment of seeding by default), after the hotline's defaults."""
    total = order_count() if count is None else count
    progress("hotline: 分类、派单目录、时限规则", 0, total)
    hotline_defaults_load(actor=actor)
    if WorkOrder.objects.filter(external_ref__startswith=DEMO_REF).exists():
        progress("hotline: 演示工单已存在", total, total)
        return
    plans = plan_orders(total, now=now or timezone.now())
    clock = HistoryClock()
    runner = _Runner(actor=actor, rng=random.Random(RANDOM_SEED + 1), clock=clock)  # noqa: S311
    for done, plan in enumerate(plans, start=1):
        runner.run(plan)
        if done % 50 == 0 or done == len(plans):
            progress("hotline: 工单", done, len(plans))
    progress("hotline: 还原历史时间", len(plans), len(plans))
    seeded = WorkOrder.objects.filter(external_ref__startswith=DEMO_REF)
    history_apply(clock, seeded)
    if total >= INTELLIGENCE_MIN_ORDERS:
        progress("hotline: 智能分类模型与热点扫描", len(plans), len(plans))
        seed_intelligence(actor=actor)
    ids = set(seeded.values_list("pk", flat=True))
    # Registered after every service's own on_commit, so it runs after they have queued.
    transaction.on_commit(lambda: _drop_queued_notices(ids, since=clock.started))


def seed_intelligence(*, actor: Actor) -> list[str]:
    """What the weekly retraining and the hourly scan would have made by now: a category
    model per level the settled demo orders can teach (activated, so the console suggests
    at once) and a hot-spot scan. A level without enough orders per category is skipped.
    Returns the targets trained."""
    from hongmian.hotline.services import insights, intelligence

    trained = []
    for target in (ClassifierTarget.CATEGORY_L1, ClassifierTarget.CATEGORY_L2):
        try:
            intelligence.classifier_train(
                actor=actor, target=target, cv_folds=0, activate=True, note="演示数据训练"
            )
        except ApplicationError:
            continue  # too few settled orders per category at this level
        trained.append(str(target))
    insights.hotspot_scan(actor=actor)
    return trained


def _drop_queued_notices(order_ids: set[int], *, since: dt.datetime) -> int:
    """The seeded orders are history: their made-up callers heard about them long ago, and
    the demo's worker must not spend its first minutes "texting" thousands of them. The
    services queue a notice per act on commit; this removes the ones queued for seeded
    orders (and only those) from the database queue, once they are there."""
    if not apps.is_installed("django_tasks_db"):
        return 0
    from django_tasks_db.models import DBTaskResult

    from hongmian.hotline import notifications

    queued = DBTaskResult.objects.filter(
        task_path=notifications.send_notice.module_path,
        status=TaskResultStatus.READY,
        enqueued_at__gte=since,
    ).values_list("pk", "args_kwargs")
    mine = [pk for pk, call in queued if (call.get("kwargs") or {}).get("order_id") in order_ids]
    for start in range(0, len(mine), 500):
        DBTaskResult.objects.filter(pk__in=mine[start : start + 500]).delete()
    return len(mine)


__all__ = ["DEMO_REF", "SCENARIOS", "SCENARIO_STATUS", "order_count", "plan_orders", "seed"]
