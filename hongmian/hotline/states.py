"""Statuses, transition tables and choices of the 12345 hotline."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from hongmian.core.transitions import TransitionTable


class Status(models.TextChoices):
    RECEIVED = "received", _("已受理")  # recorded by an agent or a channel; not yet dispatched
    DISPATCHED = "dispatched", _("已派单")  # sent to a lead unit; clocks run; awaiting 签收
    ACKNOWLEDGED = "acknowledged", _("办理中")  # the unit has 签收 and is handling it
    RETURN_REQUESTED = "return_requested", _("退单审核中")  # the unit says it is not its duty
    JOINT_MEETING = "joint_meeting", _("待会商")  # no unit accepts it; a joint meeting decides
    REPLIED = "replied", _("已答复")  # the unit has replied; awaiting the callback
    CALLBACK_REVIEW = "callback_review", _("回访不满意审核")  # dissatisfied; a supervisor decides
    CLOSED = "closed", _("已办结")  # settled (direct answer, satisfied callback or review)
    MERGED = "merged", _("已并单")  # a duplicate folded under a master order
    ARCHIVED = "archived", _("已归档")  # the end; nothing changes any more


WORK_ORDER_TRANSITIONS = TransitionTable.build(
    "work_order",
    {
        Status.RECEIVED: [Status.DISPATCHED, Status.CLOSED, Status.MERGED],
        Status.DISPATCHED: [
            Status.ACKNOWLEDGED,
            Status.RETURN_REQUESTED,
            Status.DISPATCHED,  # the centre re-dispatches before 签收
            Status.MERGED,
        ],
        Status.ACKNOWLEDGED: [
            Status.REPLIED,
            Status.RETURN_REQUESTED,
            Status.DISPATCHED,  # a district dispatches on to one of its streets (下派)
            Status.MERGED,
        ],
        Status.RETURN_REQUESTED: [
            Status.DISPATCHED,  # return accepted: re-dispatched to another unit
            Status.ACKNOWLEDGED,  # return refused: the unit keeps it (first-contact rule)
            Status.JOINT_MEETING,
        ],
        Status.JOINT_MEETING: [Status.DISPATCHED],
        Status.REPLIED: [Status.CLOSED, Status.CALLBACK_REVIEW, Status.DISPATCHED],
        Status.CALLBACK_REVIEW: [Status.DISPATCHED, Status.CLOSED],  # reopen or close with reason
        Status.CLOSED: [Status.ARCHIVED],
        Status.MERGED: [Status.CLOSED, Status.ARCHIVED],
        Status.ARCHIVED: [],
    },
)

# Orders a unit or the centre still has to act on.
OPEN_STATUSES = frozenset(
    {
        Status.RECEIVED,
        Status.DISPATCHED,
        Status.ACKNOWLEDGED,
        Status.RETURN_REQUESTED,
        Status.JOINT_MEETING,
        Status.REPLIED,
        Status.CALLBACK_REVIEW,
    }
)
# Orders in a unit's hands: clocks run, supervision and urging apply.
WITH_UNIT_STATUSES = frozenset({Status.DISPATCHED, Status.ACKNOWLEDGED, Status.RETURN_REQUESTED})
FINISHED_STATUSES = frozenset({Status.CLOSED, Status.MERGED, Status.ARCHIVED})


class Channel(models.TextChoices):
    PHONE = "phone", _("电话")
    WEB = "web", _("网站")
    WECHAT = "wechat", _("微信")
    APP = "app", _("APP")
    MINI_PROGRAM = "mini_program", _("小程序")
    SMS = "sms", _("短信")
    EMAIL = "email", _("邮件")
    LETTER = "letter", _("信件")
    TRANSFER = "transfer", _("平台转办")  # 国务院互联网+督查, 人民网留言板, 110 linkage …
    OPEN311 = "open311", _("Open311 接口")
    # An alert the platform raised itself (the city code's anomalies, later the data hub's):
    # filed only by a system actor, through services/alerts.py.
    SYSTEM = "system", _("系统预警")


class RequestType(models.TextChoices):
    INQUIRY = "inquiry", _("咨询")
    HELP = "help", _("求助")
    COMPLAINT = "complaint", _("投诉")
    REPORT = "report", _("举报")
    SUGGESTION = "suggestion", _("建议")
    PRAISE = "praise", _("表扬")


class Priority(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")  # water/power/gas outages and the like
    EMERGENCY = "emergency", _("特急")  # safety at stake; hours, not days


class Visibility(models.TextChoices):
    PUBLIC = "public", _("公开")  # the caller sees it when tracking the order
    STAFF = "staff", _("工作人员")  # the centre and the handling units
    INTERNAL = "internal", _("内部")  # the centre only (e.g. a confidential caller's identity)


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("主办")
    CO = "co", _("协办")


class AssignmentStatus(models.TextChoices):
    PENDING = "pending", _("待签收")
    ACKNOWLEDGED = "acknowledged", _("已签收")
    REPLIED = "replied", _("已答复")  # a co-handler has given its part
    WITHDRAWN = "withdrawn", _("已撤回")  # re-dispatched elsewhere or return accepted


class ReturnStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    ACCEPTED = "accepted", _("同意退单")
    REFUSED = "refused", _("不同意退单")


class ReturnReason(models.TextChoices):
    NOT_OUR_DUTY = "not_our_duty", _("非本单位职责")
    WRONG_AREA = "wrong_area", _("不属本辖区")
    INSUFFICIENT_INFO = "insufficient_info", _("诉求信息不全")
    JUDICIAL = "judicial", _("属司法、仲裁等途径")
    DUPLICATE = "duplicate", _("重复诉求")
    OTHER = "other", _("其他")


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("不批准")


class ClockKind(models.TextChoices):
    ACKNOWLEDGE = "acknowledge", _("签收时限")
    FIRST_RESPONSE = "first_response", _("首次响应时限")
    RESOLUTION = "resolution", _("办结时限")


class ClockUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("工作日")
    WORKING_HOURS = "working_hours", _("工作小时")
    NATURAL_HOURS = "natural_hours", _("自然小时")


class ClockLight(models.TextChoices):
    GREEN = "green", _("正常")
    YELLOW = "yellow", _("预警")
    RED = "red", _("超时")
    MET = "met", _("已按时完成")
    MET_LATE = "met_late", _("超时完成")


class SupervisionKind(models.TextChoices):
    URGE = "urge", _("催办")  # a reminder, before the deadline
    SUPERVISE = "supervise", _("督办")  # formal escalation, usually after it


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


class CallbackReview(models.TextChoices):
    PENDING = "pending", _("待审核")
    REOPENED = "reopened", _("已重办")
    CLOSED = "closed", _("审核后办结")
    NOT_NEEDED = "not_needed", _("无需审核")


class CatalogueStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ACTIVE = "active", _("生效")
    RETIRED = "retired", _("已停用")


class CloseReason(models.TextChoices):
    DIRECT_ANSWER = "direct_answer", _("直接答复")
    CALLBACK = "callback", _("回访办结")
    REVIEW = "review", _("审核办结")
    MERGED = "merged", _("随主单办结")
    CALLER_UNREACHABLE = "unreachable", _("回访未联系上")


class SignOffAct(models.TextChoices):
    """The handler's acts a unit may require its manager to sign off (本单位负责人审批)."""

    REPLY = "reply", _("办结答复")
    RETURN = "return", _("退单")
    EXTENSION = "extension", _("延期")


class SignOffStatus(models.TextChoices):
    PENDING = "pending", _("待审批")  # with the unit's manager; the act has not happened
    APPROVED = "approved", _("已同意")  # the manager approved: the act happened then
    SENT_BACK = "sent_back", _("已退回修改")  # back to the handler with a comment
    WITHDRAWN = "withdrawn", _("已撤回")  # the handler took it back before a decision


# A request is decided once; a revision after "sent back" is a new request (`revision_of`).
SIGN_OFF_TRANSITIONS = TransitionTable.build(
    "sign_off",
    {
        SignOffStatus.PENDING: [
            SignOffStatus.APPROVED,
            SignOffStatus.SENT_BACK,
            SignOffStatus.WITHDRAWN,
        ],
        SignOffStatus.APPROVED: [],
        SignOffStatus.SENT_BACK: [],
        SignOffStatus.WITHDRAWN: [],
    },
)
