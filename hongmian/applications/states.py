"""Statuses, the transition table and choices of applications (办件)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from hongmian.core.transitions import TransitionTable


class Status(models.TextChoices):
    DRAFT = "draft", _("草稿")  # being filled in by the applicant; purged when left too long
    SUBMITTED = "submitted", _("已提交")  # sent; the department decides whether to accept it
    ACCEPTED = "accepted", _("已受理")  # 受理: the promised time limit runs from here
    NOT_ACCEPTED = "not_accepted", _("不予受理")  # refused at the door, with a reason
    UNDER_REVIEW = "under_review", _("审查中")  # a handler is examining it
    CORRECTION = "correction", _("待补正")  # 补正: returned once, with a list of what to fix
    APPROVED = "approved", _("准予许可")  # decided in the applicant's favour
    REJECTED = "rejected", _("不予许可")  # decided against, with a reason
    RESULT_ISSUED = "result_issued", _("已出证")  # the result (licence, certificate) is issued
    ARCHIVED = "archived", _("已归档")  # the end; nothing changes any more
    # Withdrawn before a decision: a life-event bundle's part whose sibling was refused at
    # the door (decision 0068), with the reason; it is then archived.
    WITHDRAWN = "withdrawn", _("已撤回")


APPLICATION_TRANSITIONS = TransitionTable.build(
    "application",
    {
        Status.DRAFT: [Status.SUBMITTED],
        Status.SUBMITTED: [Status.ACCEPTED, Status.NOT_ACCEPTED, Status.WITHDRAWN],
        Status.ACCEPTED: [Status.UNDER_REVIEW, Status.WITHDRAWN],
        Status.NOT_ACCEPTED: [Status.ARCHIVED],
        # 补正 is allowed once: services refuse a second return (application.correction_used).
        Status.UNDER_REVIEW: [
            Status.CORRECTION,
            Status.APPROVED,
            Status.REJECTED,
            Status.WITHDRAWN,
        ],
        # The applicant resubmits the corrections (or the bundle withdraws the part).
        Status.CORRECTION: [Status.UNDER_REVIEW, Status.WITHDRAWN],
        Status.APPROVED: [Status.RESULT_ISSUED],
        Status.REJECTED: [Status.ARCHIVED],
        Status.RESULT_ISSUED: [Status.ARCHIVED],
        Status.WITHDRAWN: [Status.ARCHIVED],
        Status.ARCHIVED: [],
    },
)

# In the department's hands: the review desk's default queue.
DESK_STATUSES = frozenset({Status.SUBMITTED, Status.ACCEPTED, Status.UNDER_REVIEW})
# The promised time limit runs (from 受理 to the decision), paused while in 补正.
CLOCK_STATUSES = frozenset({Status.ACCEPTED, Status.UNDER_REVIEW})
# Decided: the clock has stopped.
DECIDED_STATUSES = frozenset(
    {
        Status.APPROVED,
        Status.REJECTED,
        Status.RESULT_ISSUED,
        Status.NOT_ACCEPTED,
        Status.ARCHIVED,
        Status.WITHDRAWN,
    }
)


class Applicant(models.TextChoices):
    PERSON = "person", _("自然人")
    ENTERPRISE = "enterprise", _("法人")


class FieldKind(models.TextChoices):
    TEXT = "text", _("文本")
    TEXTAREA = "textarea", _("多行文本")
    DATE = "date", _("日期")
    INT = "int", _("整数")
    CHOICE = "choice", _("单选")
    PHONE = "phone", _("手机号码")


class MaterialMode(models.TextChoices):
    UPLOAD = "upload", _("上传")  # a file the applicant uploaded now
    REUSE = "reuse", _("复用")  # a file submitted with an earlier application, with consent
    CERTIFICATE = "certificate", _("电子证照")  # one of the applicant's e-certificates


class Review(models.TextChoices):
    """The review desk's acts (each one transition)."""

    ACCEPT = "accept", _("受理")
    NOT_ACCEPT = "not_accept", _("不予受理")
    START = "start", _("开始审查")
    RETURN = "return", _("退回补正")
    APPROVE = "approve", _("准予许可")
    REJECT = "reject", _("不予许可")
    ISSUE = "issue", _("出具结果")
    ARCHIVE = "archive", _("归档")


REVIEW_TARGET = {
    Review.ACCEPT: Status.ACCEPTED,
    Review.NOT_ACCEPT: Status.NOT_ACCEPTED,
    Review.START: Status.UNDER_REVIEW,
    Review.RETURN: Status.CORRECTION,
    Review.APPROVE: Status.APPROVED,
    Review.REJECT: Status.REJECTED,
    Review.ISSUE: Status.RESULT_ISSUED,
    Review.ARCHIVE: Status.ARCHIVED,
}
# Acts that must say why (the applicant reads it).
REASON_REQUIRED = frozenset({Review.NOT_ACCEPT, Review.REJECT})

# What each kind of timeline entry says to its reader.
EVENT_LABELS = {
    "create": _("创建申请"),
    "answers": _("保存填报内容"),
    "prefill": _("从档案自动填写"),
    "prefill_withdrawn": _("撤回授权，自动填入的数据已删除"),
    "material_upload": _("上传材料"),
    "material_reuse": _("复用以前提交的材料"),
    "material_certificate": _("使用电子证照"),
    "submit": _("提交申请"),
    "correction_submit": _("提交补正"),
    "urge": _("时限预警催办"),
    "supervise": _("超时督办"),
    # 秒批 (decision 0066): the steps the rule takes as "system:instant".
    "instant_failed": _("秒批条件未全部满足，转人工审查"),
    "instant_accepted": _("秒批：自动受理"),
    "instant_under_review": _("秒批：规则核验"),
    "instant_approved": _("秒批：准予许可"),
    "instant_result_issued": _("秒批：出具结果"),
    "withdraw": _("撤回（一件事联办）"),
    # 跨域通办 (the crosscity app): sent, signed for, refused, a status from the other city.
    "crosscity_send": _("跨域通办发送"),
    "crosscity_receipt": _("对方城市签收"),
    "crosscity_refused": _("对方城市拒收"),
    "crosscity_status": _("对方城市办理进展"),
    **{str(act): act.label for act in Review},
}
