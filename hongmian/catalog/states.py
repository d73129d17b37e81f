"""Choices of the service-item catalogue: the review workflow of an item and of each of its
versions, and the national standard's enumerations (政务服务事项基本目录及实施清单)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from hongmian.core.reviews import version_flow
from hongmian.core.transitions import TransitionTable


class ItemStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")  # written, never published; only its unit and reviewers see it
    IN_REVIEW = "in_review", _("审核中")  # first version submitted, waiting for a reviewer
    PUBLISHED = "published", _("已发布")  # served to citizens (the portal, the app, search)
    RETIRED = "retired", _("已停用")  # withdrawn from the catalogue; kept for the record


# The same shape as the knowledge base's ARTICLE_FLOW: an edit of a published item is a new
# version under review, and the item stays published (and served) until it is approved.
ITEM_FLOW = TransitionTable.build(
    "service_item",
    {
        ItemStatus.DRAFT: {ItemStatus.IN_REVIEW, ItemStatus.RETIRED},
        ItemStatus.IN_REVIEW: {ItemStatus.PUBLISHED, ItemStatus.DRAFT},
        ItemStatus.PUBLISHED: {ItemStatus.RETIRED},
        ItemStatus.RETIRED: set(),
    },
)


# A version's states and moves are the house's review workflow (core/reviews.py).
VERSION_FLOW = version_flow("service_item_version")


class ItemType(models.TextChoices):
    """事项类型 of the national standard, the kinds a citizen or an enterprise applies for."""

    LICENCE = "licence", _("行政许可")
    BENEFIT = "benefit", _("行政给付")
    CONFIRMATION = "confirmation", _("行政确认")
    ADJUDICATION = "adjudication", _("行政裁决")
    REWARD = "reward", _("行政奖励")
    OTHER_POWER = "other_power", _("其他行政权力")
    PUBLIC_SERVICE = "public_service", _("公共服务")


# The numeric 事项类型 codes of the provincial service platforms (the `task_type` of an
# exported catalogue), decision 0040. Penalties, enforcement, levies and inspections (2, 3,
# 4, 6) are powers, not services a person applies for; a catalogue that lists them still
# imports, as 其他行政权力.
TASK_TYPE_CODES: dict[str, str] = {
    "1": ItemType.LICENCE,
    "2": ItemType.OTHER_POWER,  # 行政处罚
    "3": ItemType.OTHER_POWER,  # 行政强制
    "4": ItemType.OTHER_POWER,  # 行政征收
    "5": ItemType.BENEFIT,
    "6": ItemType.OTHER_POWER,  # 行政检查
    "7": ItemType.CONFIRMATION,
    "8": ItemType.REWARD,
    "9": ItemType.ADJUDICATION,
    "10": ItemType.OTHER_POWER,
    "20": ItemType.PUBLIC_SERVICE,
}


class ItemLevel(models.TextChoices):
    """行使层级: the level of government that handles the item."""

    CITY = "city", _("市级")
    DISTRICT = "district", _("区级")
    STREET = "street", _("街道（镇）级")
    COMMUNITY = "community", _("社区（村）级")


class OnlineDepth(models.IntegerChoices):
    """网上办理深度 一至四级."""

    INFO = 1, _("一级：网上咨询与信息公开")  # read about it online, apply in person
    FORMS = 2, _("二级：网上下载表格、预约")  # prepare online, apply in person
    SUBMIT = 3, _("三级：网上申报、窗口领取")  # apply online, collect the result in person
    FULL = 4, _("四级：全程网办")  # from application to result without a visit


class Audience(models.TextChoices):
    """服务对象: who applies for an item or follows a life event."""

    PERSON = "person", _("自然人")
    ENTERPRISE = "enterprise", _("法人")


class MaterialForm(models.TextChoices):
    ORIGINAL = "original", _("原件")  # shown (and usually handed back) at the window
    COPY = "copy", _("复印件")  # a paper copy kept in the file
    ELECTRONIC = "electronic", _("电子材料")  # an upload or an e-certificate


class MaterialSource(models.TextChoices):
    APPLICANT = "applicant", _("申请人提供")  # the applicant brings or uploads it
    DEPARTMENT = "department", _("部门核验")  # a department already holds it (免提交)


class Channel(models.TextChoices):
    """办理渠道; the halls themselves come with the halls (issue 14)."""

    ONLINE = "online", _("网上办理")
    APP = "app", _("移动端（穗好办）")
    HALL = "hall", _("窗口办理")
    SELF_SERVICE = "self_service", _("自助终端")
    MAIL = "mail", _("邮寄")
