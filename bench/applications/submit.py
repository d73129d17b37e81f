"""Application submissions per second on PostgreSQL, with three reused materials and one
instant-approval rule, and a count check under retries (issue 13, item 8; decision 0066).

    .venv/bin/python bench/applications/submit.py [--applications 1200] [--processes 4]
        [--runs 2] [--database-url postgres://postgres@127.0.0.1:55432/hm_bench_applications]

Over the service layer (the functions the web pages and the API call; no HTTP): several
processes — a server's workers — each take their citizens, and for each one run the whole
flow the API runs: `application_create` with an Idempotency-Key, three `material_reuse`
of files the citizen submitted before (with consent), `application_submit` with the key,
which evaluates the item's 秒批 rule (age and residence read from the file under the
auto-fill consent) and approves at once through the audited transitions. Every create and
every submit is sent twice with its key (a client's retry); one citizen in ten is also run
by a second process at the same moment (a retry racing the first attempt). The count check:
exactly N applications, N × 3 material links, no number or (applicant, key) twice, every
one approved at once with the rule's version. Before the timed runs, the queries of one flow
are counted (CaptureQueriesContext). A fresh database, dropped at the end; best of --runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import resource
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PG = "postgres://postgres@127.0.0.1:55432/hm_bench_applications"
RULE = {
    "all": [
        {"field": "identity.birth_date", "op": "age_gte", "value": 18, "label": "年满18周岁"},
        {"field": "address.residence", "op": "contains", "value": "广州市", "label": "居住在广州"},
    ],
    "result": "准予，结果已出具",
}
MATERIALS = ("居民身份证", "户口簿", "近期免冠照片")


def _pg(url: str, *, drop_only: bool = False) -> bool:
    import psycopg

    parts = urlsplit(url)
    admin, name = urlunsplit(parts._replace(path="/postgres")), parts.path.lstrip("/")
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if not drop_only:
                conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL not reachable at {admin}: {exc}")
        return False
    return True


def _item() -> Any:
    from hongmian.applications.services.forms import item_form_set
    from hongmian.applications.services.rules import rule_publish_now
    from hongmian.catalog.models import Material, ServiceItem
    from hongmian.core.actors import Actor
    from hongmian.identity.models import OrgUnit

    police = OrgUnit.objects.create(code="gz-police", name="广州市公安局", kind="department")
    unit = OrgUnit.objects.create(code="bench", name="基准单位", kind="department")
    item = ServiceItem.objects.create(
        code="B-0001",
        name="基准事项",
        department=unit,
        status="published",
        revision=1,
        promised_limit_days=5,
        required_level=1,
    )
    for position, name in enumerate(MATERIALS, start=1):
        Material.objects.create(item=item, position=position, name=name)
    system = Actor.system("bench")
    item_form_set(
        actor=system,
        item=item,
        fields=[
            {"key": "name", "label": "姓名", "file_field": "identity.name"},
            {"key": "phone", "label": "联系电话", "kind": "phone"},
        ],
    )
    rule_publish_now(actor=system, item=item, rules=RULE)
    return item, police


def _citizens(run: int, count: int, item: Any, police: Any) -> list[int]:
    """`count` citizens at L2, each with a file (police's), the auto-fill consent covering
    the form's and the rule's fields, and an earlier application with the three materials."""
    from django.utils import timezone

    from hongmian.applications.models import Application, ApplicationMaterial
    from hongmian.identity.models import Consent, FileValue, Person, User

    now = timezone.now()
    users = User.objects.bulk_create(
        # "!" is Django's unusable password: the benchmark's citizens never log in.
        User(username=f"b{run}-{n}", password="!", role="citizen", display_name=f"基准{n}")  # noqa: S106
        for n in range(count)
    )
    persons = Person.objects.bulk_create(
        Person(
            user=u,
            name=f"基准{run}-{n}",
            resident_id=f"B{run:02d}{n:015d}",
            assurance_level=2,
        )
        for n, u in enumerate(users)
    )
    as_of = now - dt.timedelta(days=30)
    values = []
    for p in persons:
        for key, value in (
            ("identity.name", p.name),
            ("identity.birth_date", "1980-01-01"),
            ("address.residence", "广州市天河区天河路1号"),
        ):
            values.append(
                FileValue(person=p, field_key=key, value=value, source=police, as_of=as_of)
            )
    FileValue.objects.bulk_create(values)
    fields = ["address.residence", "identity.birth_date", "identity.name"]
    Consent.objects.bulk_create(
        Consent(
            person=p,
            granted_by_id=p.user_id,
            purpose="application.prefill",
            requester="基准单位（基准事项）",
            fields=fields,
            granted_at=now - dt.timedelta(minutes=1),
            valid_until=now + dt.timedelta(days=30),
        )
        for p in persons
    )
    earlier = Application.objects.bulk_create(
        Application(
            number=f"E{run:02d}{n:010d}",
            item=item,
            department_id=item.department_id,
            applicant_id=int(p.user_id or 0),
            person=p,
            status="submitted",
            submitted_at=now - dt.timedelta(days=3),
        )
        for n, p in enumerate(persons)
    )
    materials = list(item.materials.order_by("position"))
    ApplicationMaterial.objects.bulk_create(
        ApplicationMaterial(
            application=a,
            material=m,
            name=m.name,
            mode="upload",
            file_name=f"{m.name}.jpg",
            storage_name=f"applications/bench/{a.pk}-{m.pk}.jpg",
            content_type="image/jpeg",
            size=1000,
            sha256=f"{a.pk:032d}{m.pk:032d}",
        )
        for a in earlier
        for m in materials
    )
    return [u.pk for u in users]


def prepare(user: Any, item: Any, key: str, outcome: Counter[str]) -> Any:
    """A client's draft: created with its key (sent twice), then the three materials reused
    in one call (materials_reuse, consented). Returns the draft."""
    from hongmian.applications import selectors
    from hongmian.applications.services.drafts import application_create
    from hongmian.applications.services.materials import materials_reuse
    from hongmian.core.actors import Actor
    from hongmian.core.errors import ApplicationError

    actor = Actor(user=user, via="api", client_address="10.0.0.1")
    answers = {"name": user.display_name, "phone": "13800138000"}
    application, _new = application_create(
        actor=actor, item=item, answers=answers, idempotency_key=key
    )
    application, new = application_create(
        actor=actor, item=item, answers=answers, idempotency_key=key
    )
    outcome["create_replayed"] += not new
    try:
        offered = selectors.reusable_materials(application)
        materials_reuse(
            actor=actor,
            application=application,
            choices=[(material_id, rows[0].pk) for material_id, rows in offered.items()],
            consent=True,
        )
    except ApplicationError as exc:  # the racing twin submitted it already
        outcome[exc.code] += 1
    return application


def submit(user: Any, application: Any, key: str, outcome: Counter[str]) -> None:
    """The submission, retried once with its key (秒批 approves it)."""
    from hongmian.applications.services.lifecycle import application_submit
    from hongmian.core.actors import Actor
    from hongmian.core.errors import ApplicationError

    actor = Actor(user=user, via="api", client_address="10.0.0.1")
    for attempt in range(2):
        try:
            application, done = application_submit(
                actor=actor, application=application, idempotency_key=key
            )
            outcome["submitted" if done else "submit_replayed"] += 1
        except ApplicationError as exc:
            outcome[f"{exc.code}#{attempt}"] += 1


def _queries(item: Any, police: Any) -> None:
    """The queries of each step of one flow, and (BENCH_PROFILE=N) a cProfile of N flows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from hongmian.identity.models import User

    [pk] = _citizens(99, 1, item, police)
    user = User.objects.get(pk=pk)
    outcome: Counter[str] = Counter()
    with CaptureQueriesContext(connection) as made:
        application = prepare(user, item, "q-1", outcome)
    with CaptureQueriesContext(connection) as sent:
        submit(user, application, "q-1", outcome)
    print(
        f"queries: create ×2 + 3 reuses {len(made)}, submit ×2 with 秒批 {len(sent)} "
        f"(the first submit {len(sent) - 3}); outcomes {dict(outcome)}"
    )
    if os.environ.get("BENCH_SHOW_QUERIES"):
        for q in [*made.captured_queries, *sent.captured_queries]:
            print("  ", q["sql"][:160])
    flows = int(os.environ.get("BENCH_PROFILE") or 0)
    if flows:
        import cProfile
        import pstats

        ids = _citizens(98, flows, item, police)
        users = list(User.objects.filter(pk__in=ids))
        profile = cProfile.Profile(time.process_time)
        profile.enable()
        drafts = [prepare(u, item, f"p-{u.pk}", Counter()) for u in users]
        profile.disable()
        print(f"--- cProfile: create ×2 + 3 reuses, {flows} flows")
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)
        profile = cProfile.Profile(time.process_time)
        profile.enable()
        for u, draft in zip(users, drafts, strict=True):
            submit(u, draft, f"p-{u.pk}", Counter())
        profile.disable()
        print(f"--- cProfile: submit ×2, {flows} flows")
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)


def _share(ids: list[int], processes: int) -> list[list[int]]:
    """Each process's citizens; one citizen in ten is run by the next process too, at the
    same place in its list (a retry racing the first attempt)."""
    shares = [ids[i::processes] for i in range(processes)]
    for i in range(processes):
        twins = [pk for pk in ids[i::processes][::10]]
        merged = list(shares[(i + 1) % processes])
        for j, pk in enumerate(twins):
            merged.insert(min(j * 11, len(merged)), pk)
        shares[(i + 1) % processes] = merged
    return shares


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(count: int, processes: int, runs: int) -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.db import connection
    from django.db.models import Count

    from hongmian.applications.models import Application, ApplicationMaterial
    from hongmian.identity.models import User

    item, police = _item()
    _queries(item, police)
    best: dict[str, float] = {}
    for run in range(runs):
        ids = _citizens(run, count, item, police)
        connection.close()  # each process opens its own
        shares = _share(ids, processes)
        twins_total = sum(len(s) for s in shares) - count
        # Two phases, each started together by a barrier and timed from the parent: every
        # draft prepared (create ×2 + three reuses), then every draft submitted (×2).
        barriers = [multiprocessing.Barrier(processes + 1) for _ in range(4)]
        results: multiprocessing.Queue[tuple[dict[str, int], float, float]] = (
            multiprocessing.Queue()
        )

        def work(share: list[int], barriers: list[Any], results: Any) -> None:
            users = {u.pk: u for u in User.objects.filter(pk__in=share)}
            mine: Counter[str] = Counter()
            barriers[0].wait()
            cpu0 = _cpu()
            drafts = [(pk, prepare(users[pk], item, f"k-{pk}", mine)) for pk in share]
            cpu1 = _cpu()
            barriers[1].wait()
            barriers[2].wait()
            cpu2 = _cpu()
            for pk, draft in drafts:
                submit(users[pk], draft, f"k-{pk}", mine)
            cpu3 = _cpu()
            barriers[3].wait()
            connection.close()
            results.put((dict(mine), cpu1 - cpu0, cpu3 - cpu2))

        context = multiprocessing.get_context("fork")
        workers = [context.Process(target=work, args=(s, barriers, results)) for s in shares]
        for w in workers:
            w.start()
        barriers[0].wait()
        start = time.perf_counter()
        barriers[1].wait()
        prepared = time.perf_counter() - start
        barriers[2].wait()
        start = time.perf_counter()
        barriers[3].wait()
        submitted = time.perf_counter() - start
        outcome: Counter[str] = Counter()
        cpu_prepare = cpu_submit = 0.0
        for _ in workers:
            mine, a, b = results.get()
            outcome.update(mine)
            cpu_prepare, cpu_submit = cpu_prepare + a, cpu_submit + b
        for w in workers:
            w.join()
        # The count check.
        made = Application.objects.filter(applicant_id__in=ids, create_key__startswith="k-")
        n = made.count()
        links = ApplicationMaterial.objects.filter(application__in=made).count()
        twice = (
            made.values("applicant_id", "create_key").annotate(c=Count("id")).filter(c__gt=1)
        ).count()
        dup_links = (
            ApplicationMaterial.objects.filter(application__in=made)
            .values("application_id", "material_id")
            .annotate(c=Count("id"))
            .filter(c__gt=1)
            .count()
        )
        instant = made.filter(instant=True, status="result_issued").count()
        ok = n == count and links == 3 * count and not twice and not dup_links
        ok = ok and instant == count and outcome["submitted"] == count
        figures = {
            "end to end": count / (prepared + submitted),
            "submit": count / submitted,
        }
        for name, rate in figures.items():
            best[name] = max(best.get(name, 0.0), rate)
        print(
            f"run {run + 1}: {processes} processes, {count} applications "
            f"(+{count + twins_total} retries, {twins_total} of them racing)\n"
            f"  end to end {figures['end to end']:6.0f} applications/s "
            f"({prepared + submitted:.2f} s; workers' CPU "
            f"{1000 * (cpu_prepare + cpu_submit) / count:.1f} ms per application)\n"
            f"  submit alone {figures['submit']:6.0f} submissions/s ({submitted:.2f} s; "
            f"workers' CPU {1000 * cpu_submit / count:.1f} ms per submission, its two "
            f"attempts: {count / cpu_submit:.0f} per CPU-second of one core)\n"
            f"  load average {os.getloadavg()[0]:.1f}; outcomes {dict(outcome)}\n"
            f"  count check: {n} applications, {links} material links, {instant} approved "
            f"at once, duplicates {twice + dup_links}: {'OK' if ok else 'LOST OR DUPLICATED'}"
        )
        if not ok:
            raise SystemExit(1)
    print(
        f"best: end to end {best['end to end']:.0f} applications/s, submit alone "
        f"{best['submit']:.0f} submissions/s (goal ≥ 200/s)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=1200)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--database-url", default=DEFAULT_PG)
    parser.add_argument("--_child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if args._child:
        measure(args.applications, args.processes, args.runs)
        return 0
    import subprocess

    if not _pg(args.database_url):
        return 0
    env = dict(os.environ, DATABASE_URL=args.database_url)
    command = [sys.executable, __file__, "--_child", "--applications", str(args.applications)]
    command += ["--processes", str(args.processes), "--runs", str(args.runs)]
    try:
        # Our own script with our own arguments, not input from anyone.
        subprocess.run(command, env=env, check=True)  # noqa: S603
    finally:
        _pg(args.database_url, drop_only=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
