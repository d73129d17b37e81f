"""Choices of the identity app: roles and kinds of organisation unit, with named groups."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from hongmian.core.transitions import TransitionTable


class Role(models.TextChoices):
    CITIZEN = "citizen", _("市民")  # a natural person using public services
    ENTERPRISE_REP = "enterprise_rep", _("企业代表")  # acts for one or more enterprises
    HOTLINE_AGENT = "hotline_agent", _("话务员")  # takes 12345 calls and dispatches
    HOTLINE_SUPERVISOR = "hotline_supervisor", _("热线督办员")  # reviews, supervises, calls back
    DEPT_HANDLER = "dept_handler", _("承办人员")  # handles orders for a unit
    DEPT_MANAGER = "dept_manager", _("承办单位负责人")  # approves within a unit
    HALL_STAFF = "hall_staff", _("大厅窗口人员")  # serves at a government service hall
    DATA_STEWARD = "data_steward", _("数据管理员")  # keeps a unit's data catalogue
    CHIEF_DATA_OFFICER = "chief_data_officer", _("首席数据官")  # the city's data lead
    CITY_LEADER = "city_leader", _("市领导")  # reads dashboards and reports
    SYSTEM_ADMIN = "system_admin", _("系统管理员")  # runs the platform: accounts, units, data
    # 三员分立 (等保 2.0): the security administrator and the auditor are distinct from the
    # system administrator, and none of the three reads the city's records (decision 0046).
    SECURITY_ADMIN = "security_admin", _("安全管理员")  # grants roles, API keys; clears lockouts
    AUDITOR = "auditor", _("安全审计员")  # reads the audit log; changes nothing


# Roles that belong to an organisation unit and see its records (and its sub-units').
UNIT_SCOPED_ROLES = frozenset(
    {Role.DEPT_HANDLER, Role.DEPT_MANAGER, Role.HALL_STAFF, Role.DATA_STEWARD}
)
# Roles that see the whole city's records (still masked unless the role needs the data).
CITY_WIDE_ROLES = frozenset(
    {
        Role.HOTLINE_AGENT,
        Role.HOTLINE_SUPERVISOR,
        Role.CHIEF_DATA_OFFICER,
        Role.CITY_LEADER,
        Role.SYSTEM_ADMIN,
    }
)
# Roles of the public: they see only what is their own.
PUBLIC_ROLES = frozenset({Role.CITIZEN, Role.ENTERPRISE_REP})
STAFF_ROLES = UNIT_SCOPED_ROLES | CITY_WIDE_ROLES
# The three administrators of 三员分立: each does what the other two may not.
OVERSIGHT_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR})
# Roles whose accounts get into the admin site (is_staff follows the role); inside, each
# ModelAdmin lets in the one of them whose work it is.
ADMIN_SITE_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN})


class UnitKind(models.TextChoices):
    CITY_GOVERNMENT = "city_government", _("市政府")  # the root of the tree
    HOTLINE_CENTRE = "hotline_centre", _("12345热线中心")  # the centre that dispatches
    CITY_DEPARTMENT = "city_department", _("市直部门")  # 市水务局, 市交通运输局 …
    PUBLIC_UTILITY = "public_utility", _("公共服务企业")  # water, power, gas companies
    DISTRICT_GOVERNMENT = "district_government", _("区政府")  # the 11 districts
    DISTRICT_DEPARTMENT = "district_department", _("区直部门")
    STREET = "street", _("街道")  # 街道办事处
    TOWN = "town", _("镇")  # 镇人民政府
    COMMUNITY = "community", _("社区")  # 社区居委会
    VILLAGE = "village", _("村")  # 村委会
    SERVICE_HALL = "service_hall", _("政务服务大厅")
    # Township-level units that are neither a street nor a town (a reservoir, a forest farm).
    SPECIAL_AREA = "special_area", _("特殊区域")


# Kinds that govern an area of the city: a work order about a place goes to one of these.
AREA_KINDS = frozenset(
    {
        UnitKind.DISTRICT_GOVERNMENT,
        UnitKind.STREET,
        UnitKind.TOWN,
        UnitKind.COMMUNITY,
        UnitKind.VILLAGE,
        UnitKind.SPECIAL_AREA,
    }
)

# Each role's own start page, printed by `hongmian demo_logins` (a login there comes back
# to it). The login itself still lands everyone on the portal's role-aware home page `/`
# (docs/decisions/0006). Point a role at its app once the app has a page that is the role's
# own: the hotline centre's `/hotline/` sends an agent to the console and a supervisor to
# the board. Unit handlers stay on `/`: the hotline inbox is one of several of their apps.
ROLE_HOME_PATHS: dict[str, str] = {
    Role.CITIZEN: "/",
    Role.ENTERPRISE_REP: "/",
    Role.HOTLINE_AGENT: "/hotline/",
    Role.HOTLINE_SUPERVISOR: "/hotline/",
    Role.DEPT_HANDLER: "/",
    Role.DEPT_MANAGER: "/",
    Role.HALL_STAFF: "/",
    Role.DATA_STEWARD: "/",
    Role.CHIEF_DATA_OFFICER: "/",
    Role.CITY_LEADER: "/",
    Role.SYSTEM_ADMIN: "/admin/",
    Role.SECURITY_ADMIN: "/admin/",
    Role.AUDITOR: "/audit/",
}


# --- mandates (委托授权, 帮办代办): docs/decisions/0072 --------------------------------------


class MandateStatus(models.TextChoices):
    ACTIVE = "active", _("有效")  # the agent may act within the scope and the dates
    REVOKED = "revoked", _("已撤销")  # withdrawn by the person (at once, for good)
    EXPIRED = "expired", _("已过期")  # its end date passed (set by the sweep; checked at use)


class MandateAgent(models.TextChoices):
    RELATIVE = "relative", _("亲友代办")  # another registered person, with their own account
    HALL = "hall", _("大厅帮办")  # the staff of a service hall, acting at that hall


class MandateScope(models.TextChoices):
    ITEMS = "items", _("指定事项")  # the listed catalogue items
    LIFE_EVENT = "life_event", _("一件事")  # the items of one life event (fixed when granted)
    APPLICATIONS = "applications", _("全部网上办件")  # any item the person may apply for


class MandateEvidence(models.TextChoices):
    DOCUMENT = "document", _("授权委托书")  # an uploaded, signed letter of authorisation
    IN_PERSON = "in_person", _("大厅现场核验")  # the person present at a hall, ID card read
    # The person present at a hall, their city code scanned there (码上办, decision 0079).
    CITYCODE_SCAN = "citycode_scan", _("红棉码扫码核验")


MANDATE_FLOW = TransitionTable.build(
    "mandate",
    {
        MandateStatus.ACTIVE: {MandateStatus.REVOKED, MandateStatus.EXPIRED},
        MandateStatus.REVOKED: set(),
        MandateStatus.EXPIRED: set(),
    },
)
