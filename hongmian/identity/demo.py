"""Demo data for identity: Guangzhou's organisation tree, one login per role, persons and
enterprises. Called by `hongmian seed_demo` as `seed(actor=Actor.system("seed_demo"), …)`.

Deterministic (a fixed random seed) and idempotent: every row has a natural key (unit code,
username, resident ID, credit code) and existing rows are skipped, so a second run creates
nothing and writes no audit entry. All values are generated here; the division names and
codes come from the project's own hongmian/geo/data/guangzhou_divisions.csv.

Unit codes other apps can rely on:
    gz                      广州市人民政府 (the root)
    gz-12345                广州12345政务服务便民热线中心
    gz-<dept>               city departments (gz-water 市水务局, gz-transport, gz-urban …)
    gz-power, gz-tapwater, gz-gas        public utilities
    gz-<6-digit division>   district governments (gz-440106 天河区)
    gz-<9-digit division>   streets, towns and special areas (gz-440106006 石牌街道)
    gz-<6-digit>-<dept>     district departments (gz-440106-water 天河区水务局)
    gz-<9-digit>-<nn>       communities
    hall-gz, hall-<6-digit> government service halls
"""

from __future__ import annotations

import csv
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.db import transaction

from hongmian.core.actors import Actor
from hongmian.identity import fakes, services
from hongmian.identity.assurance import AssuranceLevel
from hongmian.identity.models import Enterprise, OrgUnit, Person, StaffProfile, User
from hongmian.identity.states import STAFF_ROLES, Role, UnitKind

Progress = Callable[[str, int, int], None]

# Every demo account logs in with this password; it satisfies AUTH_PASSWORD_VALIDATORS.
DEMO_PASSWORD = "Hongmian@2026"  # noqa: S105  # published demo credential, not a secret
RANDOM_SEED = 12345
PERSON_COUNT = 200
ENTERPRISE_COUNT = 50

DIVISIONS_CSV = Path(__file__).resolve().parent.parent / "geo" / "data" / "guangzhou_divisions.csv"

ROOT_CODE = "gz"
HOTLINE_CODE = "gz-12345"

# (code, full name, short name) of the city's departments.
CITY_DEPARTMENTS = (
    ("gz-drc", "广州市发展和改革委员会", "市发展改革委"),
    ("gz-edu", "广州市教育局", "市教育局"),
    ("gz-sti", "广州市科学技术局", "市科技局"),
    ("gz-iit", "广州市工业和信息化局", "市工业和信息化局"),
    ("gz-police", "广州市公安局", "市公安局"),
    ("gz-civil", "广州市民政局", "市民政局"),
    ("gz-justice", "广州市司法局", "市司法局"),
    ("gz-finance", "广州市财政局", "市财政局"),
    ("gz-hrss", "广州市人力资源和社会保障局", "市人力资源和社会保障局"),
    ("gz-planning", "广州市规划和自然资源局", "市规划和自然资源局"),
    ("gz-eco", "广州市生态环境局", "市生态环境局"),
    ("gz-housing", "广州市住房和城乡建设局", "市住房和城乡建设局"),
    ("gz-transport", "广州市交通运输局", "市交通运输局"),
    ("gz-water", "广州市水务局", "市水务局"),
    ("gz-agri", "广州市农业农村局", "市农业农村局"),
    ("gz-commerce", "广州市商务局", "市商务局"),
    ("gz-culture", "广州市文化广电旅游局", "市文化广电旅游局"),
    ("gz-health", "广州市卫生健康委员会", "市卫生健康委员会"),
    ("gz-veterans", "广州市退役军人事务局", "市退役军人事务局"),
    ("gz-emergency", "广州市应急管理局", "市应急管理局"),
    ("gz-market", "广州市市场监督管理局", "市市场监督管理局"),
    ("gz-urban", "广州市城市管理和综合执法局", "市城市管理和综合执法局"),
    ("gz-forestry", "广州市林业和园林局", "市林业和园林局"),
    ("gz-data", "广州市政务服务和数据管理局", "市政务服务和数据管理局"),
    ("gz-medical", "广州市医疗保障局", "市医疗保障局"),
    ("gz-sports", "广州市体育局", "市体育局"),
    ("gz-stats", "广州市统计局", "市统计局"),
    ("gz-tax", "国家税务总局广州市税务局", "市税务局"),
    ("gz-housing-fund", "广州住房公积金管理中心", "市住房公积金管理中心"),
)
PUBLIC_UTILITIES = (
    ("gz-power", "广东电网有限责任公司广州供电局", "广州供电局"),
    ("gz-tapwater", "广州市自来水有限公司", "广州市自来水有限公司"),
    ("gz-gas", "广州燃气集团有限公司", "广州燃气集团"),
)
# District departments, for the three central districts only: enough to show second dispatch.
DISTRICT_DEPARTMENT_DISTRICTS = ("440104", "440105", "440106")
DISTRICT_DEPARTMENTS = (
    ("water", "水务局"),
    ("urban", "城市管理和综合执法局"),
    ("market", "市场监督管理局"),
    ("housing", "住房和城乡建设局"),
)
# A few communities (社区居委会) under some streets, keyed by the street's division code.
COMMUNITIES = {
    "440106013": ("猎德社区", "花城社区"),
    "440106014": ("冼村社区",),
    "440106006": ("石牌社区", "华师社区"),
    "440105015": ("琶洲社区",),
    "440105007": ("海幢社区",),
}

_KIND_BY_LEVEL = {
    "street": UnitKind.STREET,
    "town": UnitKind.TOWN,
    "special": UnitKind.SPECIAL_AREA,
}


@dataclass(frozen=True, slots=True)
class UnitSpec:
    code: str
    name: str
    kind: str
    parent: str | None
    short_name: str = ""
    division_code: str = ""


@dataclass(frozen=True, slots=True)
class DemoLogin:
    username: str
    role: Role
    display_name: str
    unit: str | None = None
    superuser: bool = False


# One login per role (two handlers: a city department and a district), in the order a
# newcomer would try them.
ROLE_LOGINS = (
    DemoLogin("citizen", Role.CITIZEN, "陈小棉"),
    DemoLogin("enterprise", Role.ENTERPRISE_REP, "黄志明"),
    DemoLogin("agent", Role.HOTLINE_AGENT, "李晓华", HOTLINE_CODE),
    DemoLogin("supervisor", Role.HOTLINE_SUPERVISOR, "张建国", HOTLINE_CODE),
    DemoLogin("handler_water", Role.DEPT_HANDLER, "梁伟", "gz-water"),
    DemoLogin("handler_tianhe", Role.DEPT_HANDLER, "林静", "gz-440106"),
    DemoLogin("manager_tianhe", Role.DEPT_MANAGER, "王志强", "gz-440106"),
    DemoLogin("hall", Role.HALL_STAFF, "何丽娟", "hall-gz"),
    DemoLogin("steward", Role.DATA_STEWARD, "周敏", "gz-data"),
    DemoLogin("cdo", Role.CHIEF_DATA_OFFICER, "郑国栋", "gz-data"),
    DemoLogin("leader", Role.CITY_LEADER, "刘明", ROOT_CODE),
    DemoLogin("admin", Role.SYSTEM_ADMIN, "系统管理员", superuser=True),
    # 三员分立: the security administrator and the auditor (decision 0046).
    DemoLogin("security", Role.SECURITY_ADMIN, "安全管理员"),
    DemoLogin("auditor", Role.AUDITOR, "安全审计员"),
)

# The units a demo order can land on, each with a handler and a manager login, so that every
# unit a dispatcher picks in the demo has someone to 签收, answer and sign it off — a 路灯
# order goes to 市城管执法局, and someone there must see it. The list is every unit the
# hotline's dispatch catalogue names (hongmian/hotline/data/dispatch_catalogue.csv, lead and
# co-handling; "district" there means each district government) and the demo topics' usual
# units, less the 12345 centre itself (its agents and supervisor act there). Streets and
# district departments are handled by their district's logins, whose inbox holds the units
# below them. hongmian/hotline/tests/test_demo.py keeps this list and the catalogue in step.
# Unit code → the login name's suffix (handler_<slug>, manager_<slug>).
UNIT_LOGIN_SLUGS: dict[str, str] = {
    "gz-440103": "liwan",
    "gz-440104": "yuexiu",
    "gz-440105": "haizhu",
    "gz-440106": "tianhe",
    "gz-440111": "baiyun",
    "gz-440112": "huangpu",
    "gz-440113": "panyu",
    "gz-440114": "huadu",
    "gz-440115": "nansha",
    "gz-440117": "conghua",
    "gz-440118": "zengcheng",
    "gz-agri": "agri",
    "gz-civil": "civil",
    "gz-commerce": "commerce",
    "gz-culture": "culture",
    "gz-data": "data",
    "gz-eco": "eco",
    "gz-edu": "edu",
    "gz-emergency": "emergency",
    "gz-finance": "finance",
    "gz-forestry": "forestry",
    "gz-gas": "gas",
    "gz-health": "health",
    "gz-housing": "housing",
    "gz-housing-fund": "housing_fund",
    "gz-hrss": "hrss",
    "gz-iit": "iit",
    "gz-justice": "justice",
    "gz-market": "market",
    "gz-medical": "medical",
    "gz-planning": "planning",
    "gz-police": "police",
    "gz-power": "power",
    "gz-sports": "sports",
    "gz-sti": "sti",
    "gz-tapwater": "tapwater",
    "gz-tax": "tax",
    "gz-transport": "transport",
    "gz-urban": "urban",
    "gz-veterans": "veterans",
    "gz-water": "water",
}


def unit_usernames(slug: str) -> tuple[str, str]:
    """The handler's and the manager's login names of the unit whose slug this is."""
    return f"handler_{slug}", f"manager_{slug}"


def _unit_logins() -> tuple[DemoLogin, ...]:
    """A handler and a manager per unit of UNIT_LOGIN_SLUGS, with made-up names that are
    always the same; the role logins above keep theirs (handler_water, the 天河 pair)."""
    taken = {login.username for login in ROLE_LOGINS}
    out: list[DemoLogin] = []
    for code, slug in UNIT_LOGIN_SLUGS.items():
        roles = (Role.DEPT_HANDLER, Role.DEPT_MANAGER)
        for username, role in zip(unit_usernames(slug), roles, strict=True):
            if username not in taken:
                rng = random.Random(f"{RANDOM_SEED}:{username}")  # noqa: S311  # demo names
                out.append(DemoLogin(username, role, fakes.person_name(rng), code))
    return tuple(out)


UNIT_LOGINS = _unit_logins()
# Everyone the demo creates: a login per role, then the units' own.
DEMO_LOGINS = ROLE_LOGINS + UNIT_LOGINS


# --- what to create ------------------------------------------------------------------------


def _divisions() -> list[dict[str, str]]:
    with DIVISIONS_CSV.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def unit_specs() -> list[UnitSpec]:
    """The whole tree, parents before children."""
    rows = _divisions()
    district_names = {r["code"][:6]: r["name"] for r in rows if r["level"] == "district"}
    specs = [
        UnitSpec(
            ROOT_CODE, "广州市人民政府", UnitKind.CITY_GOVERNMENT, None, "市政府", "440100000"
        ),
        UnitSpec(
            HOTLINE_CODE,
            "广州12345政务服务便民热线中心",
            UnitKind.HOTLINE_CENTRE,
            ROOT_CODE,
            "12345热线中心",
        ),
    ]
    specs += [
        UnitSpec(code, name, UnitKind.CITY_DEPARTMENT, ROOT_CODE, short)
        for code, name, short in CITY_DEPARTMENTS
    ]
    specs += [
        UnitSpec(code, name, UnitKind.PUBLIC_UTILITY, ROOT_CODE, short)
        for code, name, short in PUBLIC_UTILITIES
    ]
    specs.append(
        UnitSpec(
            "hall-gz", "广州市政务服务中心", UnitKind.SERVICE_HALL, "gz-data", "市政务服务中心"
        )
    )
    for region, name in district_names.items():
        district = f"gz-{region}"
        specs.append(
            UnitSpec(
                district,
                f"广州市{name}人民政府",
                UnitKind.DISTRICT_GOVERNMENT,
                ROOT_CODE,
                name,
                f"{region}000",
            )
        )
        specs.append(
            UnitSpec(
                f"hall-{region}",
                f"广州市{name}政务服务中心",
                UnitKind.SERVICE_HALL,
                district,
                f"{name}政务服务中心",
            )
        )
        if region in DISTRICT_DEPARTMENT_DISTRICTS:
            specs += [
                UnitSpec(
                    f"{district}-{slug}",
                    f"广州市{name}{dept}",
                    UnitKind.DISTRICT_DEPARTMENT,
                    district,
                    f"{name}{dept}",
                )
                for slug, dept in DISTRICT_DEPARTMENTS
            ]
    for row in rows:
        kind = _KIND_BY_LEVEL.get(row["level"])
        if kind is None:
            continue
        district_name = district_names[row["parent_code"][:6]]
        suffix = {"street": "办事处", "town": "人民政府"}.get(row["level"], "")
        specs.append(
            UnitSpec(
                f"gz-{row['code']}",
                f"{district_name}{row['name']}{suffix}",
                kind,
                f"gz-{row['parent_code'][:6]}",
                row["name"],
                row["code"],
            )
        )
        for n, community in enumerate(COMMUNITIES.get(row["code"], ()), start=1):
            specs.append(
                UnitSpec(
                    f"gz-{row['code']}-{n:02d}",
                    f"{row['name']}{community}居民委员会",
                    UnitKind.COMMUNITY,
                    f"gz-{row['code']}",
                    community,
                )
            )
    return specs


@dataclass(frozen=True, slots=True)
class PersonSpec:
    name: str
    resident_id: str
    mobile: str
    address: str


@dataclass(frozen=True, slots=True)
class EnterpriseSpec:
    name: str
    credit_code: str
    legal_representative: str
    contact_mobile: str
    address: str


def _streets_by_region() -> dict[str, list[str]]:
    rows = _divisions()
    names = {r["code"][:6]: r["name"] for r in rows if r["level"] == "district"}
    out: dict[str, list[str]] = {region: [] for region in names}
    for r in rows:
        if r["level"] in ("street", "town"):
            out[r["parent_code"][:6]].append(f"广州市{names[r['parent_code'][:6]]}{r['name']}")
    return out


def _address(rng: random.Random, streets: dict[str, list[str]], region: str) -> str:
    area = rng.choice(streets[region])
    return (
        f"{area}{rng.choice(fakes.ROADS)}{rng.randint(1, 999)}号"
        f"{rng.randint(1, 30)}栋{rng.randint(1, 33)}{rng.randint(1, 8):02d}房"
    )


def person_specs(count: int = PERSON_COUNT) -> list[PersonSpec]:
    """`count` distinct persons; always the same list for the same count."""
    rng = random.Random(RANDOM_SEED)  # noqa: S311  # reproducible demo data, not secrets
    streets = _streets_by_region()
    seen: set[str] = set()
    out: list[PersonSpec] = []
    while len(out) < count:
        region = rng.choice(fakes.GUANGZHOU_REGIONS)
        rid = fakes.resident_id(region, fakes.birthdate(rng), rng.randrange(1000))
        if rid in seen:
            continue
        seen.add(rid)
        out.append(
            PersonSpec(
                fakes.person_name(rng), rid, fakes.mobile(rng), _address(rng, streets, region)
            )
        )
    return out


def enterprise_specs(count: int = ENTERPRISE_COUNT) -> list[EnterpriseSpec]:
    rng = random.Random(RANDOM_SEED + 1)  # noqa: S311  # reproducible demo data, not secrets
    streets = _streets_by_region()
    codes: set[str] = set()
    names: set[str] = set()
    out: list[EnterpriseSpec] = []
    while len(out) < count:
        region = rng.choice(fakes.GUANGZHOU_REGIONS)
        code = fakes.credit_code(region, fakes.organisation_code(rng))
        name = fakes.enterprise_name(rng)
        if code in codes or name in names:
            continue
        codes.add(code)
        names.add(name)
        out.append(
            EnterpriseSpec(
                name,
                code,
                fakes.person_name(rng),
                fakes.mobile(rng),
                _address(rng, streets, region),
            )
        )
    return out


# --- seeding -------------------------------------------------------------------------------


def seed_org_units(*, actor: Actor, progress: Progress) -> dict[str, OrgUnit]:
    specs = unit_specs()
    units = {u.code: u for u in OrgUnit.objects.all()}
    for done, spec in enumerate(specs, start=1):
        if spec.code not in units:
            units[spec.code] = services.org_unit_create(
                actor=actor,
                code=spec.code,
                name=spec.name,
                kind=spec.kind,
                parent=units[spec.parent] if spec.parent else None,
                division_code=spec.division_code,
                short_name=spec.short_name,
            )
        if done % 25 == 0 or done == len(specs):
            progress("identity: 组织机构", done, len(specs))
    return units


def seed_users(*, actor: Actor, progress: Progress, units: dict[str, OrgUnit]) -> dict[str, User]:
    users = {
        u.username: u for u in User.objects.filter(username__in=[d.username for d in DEMO_LOGINS])
    }
    profiles = set(StaffProfile.objects.values_list("user__username", flat=True))
    # One hash for every account: they share the published password.
    password_hash = make_password(DEMO_PASSWORD) if len(users) < len(DEMO_LOGINS) else ""
    for done, login in enumerate(DEMO_LOGINS, start=1):
        if login.username not in users:
            users[login.username] = services.user_create(
                actor=actor,
                username=login.username,
                password=DEMO_PASSWORD,
                password_hash=password_hash,
                role=login.role,
                display_name=login.display_name,
                org_unit=units[login.unit] if login.unit else None,
                is_superuser=login.superuser,
            )
        if login.role in STAFF_ROLES and login.username not in profiles:
            services.staff_profile_upsert(
                actor=actor,
                user=users[login.username],
                employee_no=f"GZ{done:04d}",
                title=str(login.role.label),
            )
        progress("identity: 演示账号", done, len(DEMO_LOGINS))
    return users


def seed_persons(*, actor: Actor, progress: Progress, users: dict[str, User]) -> None:
    specs = person_specs()
    existing = set(Person.objects.values_list("resident_id", flat=True))
    citizen = users["citizen"]
    for done, spec in enumerate(specs, start=1):
        if spec.resident_id not in existing:
            # The first person is the demo citizen: their own file, unmasked to them.
            owner = (
                citizen if done == 1 and not Person.objects.filter(user=citizen).exists() else None
            )
            services.person_create(
                actor=actor,
                name=citizen.display_name if owner else spec.name,
                resident_id=spec.resident_id,
                mobile=spec.mobile,
                address=spec.address,
                user=owner,
                # The demo citizen was registered at a hall: L2 (ID card and phone seen).
                assurance_level=AssuranceLevel.L2 if owner else AssuranceLevel.L1,
            )
        if done % 50 == 0 or done == len(specs):
            progress("identity: 自然人", done, len(specs))


def seed_enterprises(*, actor: Actor, progress: Progress, users: dict[str, User]) -> None:
    specs = enterprise_specs()
    by_code = {
        e.credit_code: e
        for e in Enterprise.objects.filter(credit_code__in=[s.credit_code for s in specs])
    }
    for done, spec in enumerate(specs, start=1):
        enterprise = by_code.get(spec.credit_code)
        if enterprise is None:
            enterprise = services.enterprise_create(
                actor=actor,
                name=spec.name,
                credit_code=spec.credit_code,
                legal_representative=spec.legal_representative,
                contact_mobile=spec.contact_mobile,
                address=spec.address,
            )
        if done <= 2:
            # The demo enterprise login acts for the first two enterprises.
            services.enterprise_add_representative(
                actor=actor, enterprise=enterprise, user=users["enterprise"]
            )
        if done % 25 == 0 or done == len(specs):
            progress("identity: 企业", done, len(specs))


def seed(*, actor: Actor, progress: Progress) -> None:
    # One transaction per step: a step lands whole or not at all, and the database commits
    # a few times instead of once per row (which dominates the run time on PostgreSQL).
    with transaction.atomic():
        units = seed_org_units(actor=actor, progress=progress)
    with transaction.atomic():
        users = seed_users(actor=actor, progress=progress, units=units)
    with transaction.atomic():
        seed_persons(actor=actor, progress=progress, users=users)
    with transaction.atomic():
        seed_enterprises(actor=actor, progress=progress, users=users)
    # Imported here: demo_files reads the persons and enterprises seeded just above.
    from hongmian.identity.demo_files import seed_files

    seed_files(actor=actor, progress=progress)


__all__ = [
    "DEMO_LOGINS",
    "DEMO_PASSWORD",
    "ROLE_LOGINS",
    "UNIT_LOGINS",
    "UNIT_LOGIN_SLUGS",
    "seed",
    "unit_usernames",
]
