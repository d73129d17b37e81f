"""What each role's home page offers: its actions, in order of importance.

Only what works is offered: every action links to a page of a built app that the role can
open (a test follows each link as the role). A feature that is not built has no tile at
all — a tile that says "not open yet" is a promise nothing keeps. When an app lands, add its
actions here, and say so in the role's intro (templates/portal/home/<role>.html).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hongmian.identity.states import Role

# In elder mode (长者模式) the home page shows only the primary actions: a few large
# choices are easier to read and to hit than a full grid.
ELDER_MODE_MAX_ACTIONS = 4


@dataclass(frozen=True, slots=True)
class HomeAction:
    title: str | Promise
    summary: str | Promise
    # Named URL of the page that does it.
    url_name: str
    # Shown in elder mode too.
    primary: bool = False

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_ADMIN = HomeAction(
    _("管理后台"), _("账号、机构和基础数据的管理。"), url_name="admin:index", primary=True
)
# The data hub and the operations centre (issue 15): the catalogue for every data role, the
# city's ranking for its data officer and its leaders, the big screen for both.
_DATA_CATALOGUE = HomeAction(
    _("数据资源目录"),
    _("各部门的数据资源、共享类型、数据项分级与质量。"),
    url_name="datahub:catalogue",
)
_DATA_RANKING = HomeAction(
    _("全市部门数据工作排名"),
    _("各部门的目录完整率、数据及时率、质量和共享响应。"),
    url_name="datahub:cdo",
)
_OPS_SCREEN = HomeAction(
    _("穗智管城市运行大屏"),
    _("城市运行指标、告警和各区态势，实时推送。"),
    url_name="opscentre:screen",
)
_API_DOCS = HomeAction(
    _("API 文档"),
    _("对接系统使用的接口说明（OpenAPI）。"),
    url_name="api:openapi-view",
    primary=True,
)
_HEALTH = HomeAction(
    _("运行状态"), _("平台与数据库是否正常（/healthz）。"), url_name="healthz", primary=True
)

# The portal's service finder (issue 12, item 3): items, life events, search.
_SERVICES = HomeAction(
    _("办事服务"),
    _("查找要办的事：材料、时限、收费和办理地点。"),
    url_name="catalog:services",
    primary=True,
)

# A citizen or an enterprise: what they reported to 12345 and how it is going.
_MINE = HomeAction(
    _("我的诉求"),
    _("查看反映过的问题、办理进度和答复。"),
    url_name="hotline:mine",
    primary=True,
)
# Applications (办件, issue 13): the applicant's list and the department's review desk.
_MY_APPLICATIONS = HomeAction(
    _("我的办件"),
    _("在线申请过的事项、办理进度和补正要求。"),
    url_name="applications:mine",
)
_APPLICATION_DESK = HomeAction(
    _("办件审批台"),
    _("本单位事项的申请：受理、审查、补正和办结，按时限排列。"),
    url_name="applications:desk",
    primary=True,
)
_HOTLINE_REPORTS = HomeAction(
    _("热线报表"),
    _("受理量、办结率和满意率。"),
    url_name="analytics:reports",
    primary=True,
)
# 我的证照 (issue 13, item 7): the holder's e-certificates.
_CERTIFICATES = HomeAction(
    _("我的证照"),
    _("部门签发的电子证照：出示二维码、下载，办事免交纸质材料。"),
    url_name="certificates:mine",
)
_DASHBOARD = HomeAction(
    _("运行看板"), _("今日受理、在办和超时工单。"), url_name="analytics:dashboard"
)

ROLE_ACTIONS: dict[Role, tuple[HomeAction, ...]] = {
    Role.CITIZEN: (
        # First: most visits are to see how a reported problem is going.
        _MINE,
        _SERVICES,
        HomeAction(
            _("我要反映"),
            _("向 12345 反映问题、提出建议或咨询。"),
            url_name="hotline:submit",
            primary=True,
        ),
        HomeAction(
            _("我的档案"),
            _("政府掌握的我的信息、来源部门，以及谁在何时使用过。"),
            url_name="identity:my_file",
            primary=True,
        ),
        _MY_APPLICATIONS,
        _CERTIFICATES,
        HomeAction(
            _("委托代办"),
            _("委托亲友代为办事、为家人办理，以及代办人做过的每一件事。"),
            url_name="applications:my_mandates",
        ),
        # 红棉码 (issue 14, item 4): the person's city code.
        HomeAction(
            _("我的红棉码"),
            _("在大厅、地铁、医院出示的个人码，每分钟自动更新。"),
            url_name="citycode:mine",
        ),
    ),
    Role.ENTERPRISE_REP: (
        _SERVICES,
        _MY_APPLICATIONS,
        _CERTIFICATES,
        HomeAction(
            _("企业诉求"),
            _("向 12345 反映企业遇到的问题。"),
            url_name="hotline:submit",
            primary=True,
        ),
        _MINE,
    ),
    Role.HOTLINE_AGENT: (
        HomeAction(
            _("话务工作台"),
            _("接听来电、登记诉求、派发工单。"),
            url_name="hotline:console",
            primary=True,
        ),
        HomeAction(
            _("为来电人预约"),
            _("凭来电人的手机号或身份证号，预约到大厅办事。"),
            url_name="appointments:book",
        ),
        HomeAction(
            _("工单查询"),
            _("按号码、来电人或地址查找工单。"),
            url_name="hotline:search",
            primary=True,
        ),
    ),
    Role.HOTLINE_SUPERVISOR: (
        HomeAction(
            _("督办看板"),
            _("超时、退单和重复诉求一览。"),
            url_name="hotline:board",
            primary=True,
        ),
        HomeAction(
            _("回访评价"),
            _("回访来电人并记录满意度。"),
            url_name="hotline:callbacks",
            primary=True,
        ),
        _HOTLINE_REPORTS,
        _DASHBOARD,
    ),
    Role.DEPT_HANDLER: (
        HomeAction(
            _("待办工单"),
            _("派给本单位、等待办理的工单。"),
            url_name="hotline:inbox",
            primary=True,
        ),
        HomeAction(
            _("工单查询"),
            _("本单位及下级单位的工单。"),
            url_name="hotline:search",
            primary=True,
        ),
        _APPLICATION_DESK,
    ),
    Role.DEPT_MANAGER: (
        HomeAction(
            _("待审批"),
            _("需要您审批的退单、延期和办结。"),
            url_name="hotline:inbox",
            primary=True,
        ),
        HomeAction(
            _("本单位工单"),
            _("本单位及下级单位的工单。"),
            url_name="hotline:search",
            primary=True,
        ),
        _APPLICATION_DESK,
    ),
    Role.HALL_STAFF: (
        HomeAction(
            _("大厅预约与叫号"),
            _("本大厅的预约、签到取号、窗口叫号、叫号屏和排队实况。"),
            url_name="appointments:halls",
            primary=True,
        ),
        HomeAction(
            _("查询诉求进度"),
            _("凭工单号和手机号码，帮来访群众查询 12345 诉求的办理进度。"),
            url_name="hotline:track",
            primary=True,
        ),
        HomeAction(
            _("帮办代办台"),
            _("核验到场群众身份、登记授权，代为申请和提交办件。"),
            url_name="applications:assist",
            primary=True,
        ),
    ),
    Role.DATA_STEWARD: (
        _DATA_CATALOGUE,
        HomeAction(
            _("共享审核"),
            _("其他部门对本单位数据资源的共享申请：批准、缩减字段或拒绝。"),
            url_name="datahub:sharing_inbox",
        ),
        _API_DOCS,
    ),
    Role.CHIEF_DATA_OFFICER: (
        HomeAction(
            _("热线数据分析报告"),
            _("12345 热线的周报和月报。"),
            url_name="analytics:reports",
            primary=True,
        ),
        _DATA_CATALOGUE,
        _DATA_RANKING,
        _OPS_SCREEN,
        _DASHBOARD,
        _API_DOCS,
    ),
    Role.CITY_LEADER: (
        HomeAction(
            _("城市运行看板"),
            _("热线受理、在办、超时和满意率的总体态势。"),
            url_name="analytics:dashboard",
            primary=True,
        ),
        HomeAction(
            _("热线报表"),
            _("诉求热点、办结率和满意率。"),
            url_name="analytics:reports",
            primary=True,
        ),
        _OPS_SCREEN,
        _DATA_RANKING,
    ),
    Role.SYSTEM_ADMIN: (_ADMIN, _API_DOCS, _HEALTH),
    # 三员分立 (decision 0046): what the system administrator no longer does.
    Role.SECURITY_ADMIN: (
        HomeAction(
            _("角色与登录锁定"),
            _("为账号授予角色，解除登录锁定（管理后台的“用户”）。"),
            url_name="admin:identity_user_changelist",
            primary=True,
        ),
    ),
    Role.AUDITOR: (
        HomeAction(
            _("审计日志"),
            _("按操作人、对象、动作和时间查阅平台的全部操作记录，并可导出。"),
            url_name="audit:log",
            primary=True,
        ),
    ),
}


def actions_for(role: Role, *, elder_mode: bool) -> tuple[HomeAction, ...]:
    actions = ROLE_ACTIONS[role]
    if elder_mode:
        return tuple(a for a in actions if a.primary)[:ELDER_MODE_MAX_ACTIONS]
    return actions
