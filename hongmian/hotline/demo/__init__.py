"""Demo data for the hotline: the default taxonomy, SLA rules and dispatch catalogue, then a
few thousand orders over the last 90 days in every state an order can be in. Called by
`hongmian seed_demo` as `seed(actor=Actor.system("seed_demo"), progress=…)`, after identity
(units, demo logins, persons) and geo.

Every order lives its life through the real services — intake, dispatch (the catalogue
decides; a topic's usual unit when it cannot), 下派, 签收, notes, 退单 and its review, joint
meetings, extensions, 催办/督办, co-handling, the reply, callbacks, reopening, merging and
archiving — in the order it happened. The services stamp "now"; `demo.time` then moves
every timestamp to the historical moment of its step (see that module for why and how).

Deterministic (RANDOM_SEED) and idempotent: seeded orders carry `external_ref` "demo:NNNNN";
when any exists the seeder stops, so a second run adds nothing. The historical anchor is
the moment of seeding: the same seed gives the same orders, dated back from that day.

The package, one module per part (import each name from the module that defines it):

- __init__   `seed` itself (what `hongmian seed_demo` calls), the search ranking learned from
             the direct answers, and dropping the notices the seeded history would queue
- plan       the scenarios and their mix, and the plans: every order's acts and their
             historical times, drawn before anything is written (`plan_orders`)
- runner     the Runner that replays each plan through the services, and who acts
- time       the HistoryClock that moves the run's timestamps into the past
- text       titles, contents and places (`TextGenerator`), from the topics in topics.py
- export     rows in the shape of a historical CSV export (`hotline_export_sample`)
- signoff    the demo managers' units require sign-off; a few of their orders wait for it

The demo's category models and first hot-spot scan are the insights app's demo
(hongmian/insights/demo.py), which runs after this one.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.tasks.base import TaskResultStatus
from django.utils import timezone

from hongmian.core.actors import Actor
from hongmian.core.errors import ApplicationError
from hongmian.hotline.demo.plan import RANDOM_SEED, plan_orders
from hongmian.hotline.demo.runner import DEMO_REF, Runner
from hongmian.hotline.demo.signoff import seed_sign_offs
from hongmian.hotline.demo.time import HistoryClock, history_apply
from hongmian.hotline.models import WorkOrder
from hongmian.hotline.services.defaults import hotline_defaults_load

Progress = Callable[[str, int, int], None]

# Below this many demo orders (the tests' small seeds) the search ranking is not learned (nor,
# in the insights app's demo, a classifier trained or a hot-spot scan run).
LEARNING_MIN_ORDERS = 500


def order_count() -> int:
    """How many orders `seed` makes: HONGMIAN_DEMO_HOTLINE_ORDERS (default 3,000)."""
    return int(settings.HONGMIAN_DEMO_HOTLINE_ORDERS)


# --- seeding ----------------------------------------------------------------------------------


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
    runner = Runner(actor=actor, rng=random.Random(RANDOM_SEED + 1), clock=clock)  # noqa: S311
    for done, plan in enumerate(plans, start=1):
        runner.run(plan)
        if done % 50 == 0 or done == len(plans):
            progress("hotline: 工单", done, len(plans))
    progress("hotline: 还原历史时间", len(plans), len(plans))
    seeded = WorkOrder.objects.filter(external_ref__startswith=DEMO_REF)
    history_apply(clock, seeded)
    progress("hotline: 本单位负责人审批", len(plans), len(plans))
    seed_sign_offs(actor=actor)
    if total >= LEARNING_MIN_ORDERS:
        progress("hotline: 知识检索排序", len(plans), len(plans))
        seed_search_ranking(actor=actor)
    ids = set(seeded.values_list("pk", flat=True))
    # Registered after every service's own on_commit, so it runs after they have queued.
    transaction.on_commit(lambda: _drop_queued_notices(ids, since=clock.started))


def seed_search_ranking(*, actor: Actor) -> bool:
    """What the weekly job would have learned by now: the knowledge search's ranking from
    the demo's direct answers read from articles (when dense vectors are on and there are
    enough). Whether a ranking was learned."""
    from hongmian.hotline import knowledge_bridge

    try:
        learned = knowledge_bridge.search_ranking_relearn(actor=actor)
    except ApplicationError:
        return False  # dense vectors off, say
    return bool(learned.get("learned"))


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
