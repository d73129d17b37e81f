"""What each role's home page offers: its actions, in order of importance.

An action whose app is not built yet has no `url_name` and is shown as a placeholder that
says which app will bring it — never as a link to a page that does not exist, nor with
made-up figures. When an app lands, give its action a `url_name`.
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

# The apps that will bring the placeholders to life (named on each placeholder).
APP_APPLICATIONS = _("政务服务办件")
APP_APPOINTMENTS = _("预约取号")
APP_CERTIFICATES = _("电子证照")
APP_KNOWLEDGE = _("知识库")
APP_CATALOG = _("服务事项目录")
APP_DATAHUB = _("数据中台")
APP_ANALYTICS = _("统计分析")
APP_AUDIT = _("审计查询")


@dataclass(frozen=True, slots=True)
class HomeAction:
    title: str | Promise
    summary: str | Promise
    # Named URL of the page that does it; None while the app that serves it is not built.
    url_name: str | None = None
    # Which app will bring it (shown on the placeholder).
    coming_with: str | Promise = ""
    # Shown in elder mode too.
    primary: bool = False

    @property
    def available(self) -> bool:
        return self.url_name is not None

    @property
    def url(self) -> str:
        return reverse(self.url_name) if self.url_name else ""


_ADMIN = HomeAction(
    _("管理后台"), _("账号、机构和基础数据的管理。"), url_name="admin:index", primary=True
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

ROLE_ACTIONS: dict[Role, tuple[HomeAction, ...]] = {
    Role.CITIZEN: (
        HomeAction(
            _("我要反映"),
            _("向 12345 反映问题、提出建议或咨询。"),
            url_name="hotline:submit",
            primary=True,
        ),
        HomeAction(_("我的办件"), _("查看已提交事项的办理进度。"), None, APP_APPLICATIONS, True),
        HomeAction(
            _("预约办事"), _("预约政务服务大厅的窗口办理时间。"), None, APP_APPOINTMENTS, True
        ),
        HomeAction(_("我的证照"), _("身份证、户口簿等电子证照。"), None, APP_CERTIFICATES, True),
        HomeAction(_("办事指南"), _("查找事项的条件、材料和流程。"), None, APP_CATALOG),
        HomeAction(_("我的诉求"), _("查看反映过的问题和办理结果。"), url_name="hotline:mine"),
    ),
    Role.ENTERPRISE_REP: (
        HomeAction(_("企业办事"), _("代表企业申请、查看涉企事项。"), None, APP_APPLICATIONS, True),
        HomeAction(_("企业证照"), _("营业执照、许可证等电子证照。"), None, APP_CERTIFICATES, True),
        HomeAction(
            _("企业诉求"),
            _("向 12345 反映企业遇到的问题。"),
            url_name="hotline:submit",
            primary=True,
        ),
        HomeAction(_("惠企政策"), _("查找适用于企业的政策和问答。"), None, APP_KNOWLEDGE),
        HomeAction(_("预约办事"), _("预约政务服务大厅的窗口办理时间。"), None, APP_APPOINTMENTS),
    ),
    Role.HOTLINE_AGENT: (
        HomeAction(
            _("话务工作台"),
            _("接听来电、登记诉求、派发工单。"),
            url_name="hotline:console",
            primary=True,
        ),
        HomeAction(_("知识库"), _("答复来电时查找政策和口径。"), None, APP_KNOWLEDGE, True),
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
        HomeAction(
            _("热线报表"),
            _("受理量、办结率和满意率。"),
            url_name="analytics:reports",
            primary=True,
        ),
        HomeAction(_("运行看板"), _("今日受理、在办和超时工单。"), url_name="analytics:dashboard"),
        HomeAction(_("知识库"), _("维护答复口径。"), None, APP_KNOWLEDGE),
    ),
    Role.DEPT_HANDLER: (
        HomeAction(
            _("待办工单"),
            _("派给本单位、等待办理的工单。"),
            url_name="hotline:inbox",
            primary=True,
        ),
        HomeAction(
            _("待审办件"), _("提交到本单位、等待审查的办件。"), None, APP_APPLICATIONS, True
        ),
        HomeAction(_("知识库"), _("查找政策和答复口径。"), None, APP_KNOWLEDGE, True),
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
        HomeAction(_("本单位报表"), _("办结率、超时率和满意率。"), None, APP_ANALYTICS, True),
    ),
    Role.HALL_STAFF: (
        HomeAction(_("窗口受理"), _("为来办事的群众受理办件。"), None, APP_APPLICATIONS, True),
        HomeAction(_("排队叫号"), _("叫号、过号和转窗口。"), None, APP_APPOINTMENTS, True),
        HomeAction(_("预约核验"), _("核验预约并签到。"), None, APP_APPOINTMENTS, True),
        HomeAction(_("证照核验"), _("核验群众出示的电子证照。"), None, APP_CERTIFICATES, True),
        HomeAction(_("办事指南"), _("查找事项的条件、材料和流程。"), None, APP_CATALOG),
    ),
    Role.DATA_STEWARD: (
        HomeAction(_("数据目录"), _("编目和维护本单位的数据资源。"), None, APP_DATAHUB, True),
        HomeAction(_("共享申请"), _("处理其他单位的数据共享申请。"), None, APP_DATAHUB, True),
        HomeAction(_("数据质量"), _("质量检查的结果和待整改问题。"), None, APP_DATAHUB, True),
        _API_DOCS,
    ),
    Role.CHIEF_DATA_OFFICER: (
        HomeAction(_("共享交换"), _("全市数据共享和交换的情况。"), None, APP_DATAHUB, True),
        HomeAction(_("数据报表"), _("数据资源、质量和使用的报表。"), None, APP_ANALYTICS, True),
        HomeAction(
            _("热线数据分析报告"),
            _("12345 热线的周报和月报。"),
            url_name="analytics:reports",
        ),
        HomeAction(_("数据质量"), _("各单位的数据质量评分。"), None, APP_DATAHUB, True),
        _API_DOCS,
    ),
    Role.CITY_LEADER: (
        HomeAction(
            _("城市运行看板"),
            _("热线、办件和数据的总体态势。"),
            url_name="analytics:dashboard",
            primary=True,
        ),
        HomeAction(
            _("热线报表"),
            _("诉求热点、办结率和满意率。"),
            url_name="analytics:reports",
            primary=True,
        ),
        HomeAction(_("政务服务报表"), _("办件量、办理时长和好差评。"), None, APP_ANALYTICS, True),
    ),
    Role.SYSTEM_ADMIN: (
        _ADMIN,
        _API_DOCS,
        _HEALTH,
        HomeAction(_("审计日志"), _("查询谁在何时做了什么。"), None, APP_AUDIT),
    ),
}


def actions_for(role: Role, *, elder_mode: bool) -> tuple[HomeAction, ...]:
    actions = ROLE_ACTIONS[role]
    if elder_mode:
        return tuple(a for a in actions if a.primary)[:ELDER_MODE_MAX_ACTIONS]
    return actions
