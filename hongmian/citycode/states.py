"""Choices of the city code app (红棉码): verification answers, terminal kinds, what a
terminal may see, attribute statuses and their transitions, anomaly kinds."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from hongmian.core.transitions import TransitionTable
from hongmian.identity.states import Role

# The keyring purpose whose keys sign city codes (core/keyring.py).
KEY_PURPOSE = "citycode"
# The JWS `typ` of a city code: tells it apart from a certificate signed by the same keyring.
TOKEN_TYPE = "hm-cc"  # noqa: S105  # a JWS header value, not a secret
# Who keeps the terminal registry and the key set: the platform's administrators.
REGISTRY_ROLES = frozenset({Role.SYSTEM_ADMIN})
# Staff of an owner unit who read its terminals and their scan logs.
UNIT_READER_ROLES = frozenset({Role.DEPT_HANDLER, Role.DEPT_MANAGER, Role.HALL_STAFF})
# Staff of an authorised department who set status attributes.
ATTRIBUTE_SETTER_ROLES = frozenset({Role.DEPT_HANDLER, Role.DEPT_MANAGER})


class Reason(models.TextChoices):
    """The answer of an offline verification: `ok`, or why the code is not valid. Stable codes:
    terminals and the CLI's JSON rely on them."""

    OK = "ok", _("有效")
    MALFORMED = "malformed", _("格式不正确，不是红棉码")
    BAD_SIGNATURE = "bad_signature", _("签名不符，内容可能被篡改")
    UNKNOWN_KEY = "unknown_key", _("签名密钥不在公布的密钥集中")
    REVOKED_KEY = "revoked_key", _("签名密钥已被吊销")
    EXPIRED = "expired", _("已过期，请刷新红棉码")
    NOT_YET_VALID = "not_yet_valid", _("尚未生效")


class ScanResult(models.TextChoices):
    """What an online scan answered: every offline reason, plus what only the server knows."""

    OK = "ok", _("有效")
    MALFORMED = "malformed", _("格式不正确")
    BAD_SIGNATURE = "bad_signature", _("签名不符")
    UNKNOWN_KEY = "unknown_key", _("未知密钥")
    REVOKED_KEY = "revoked_key", _("密钥已吊销")
    EXPIRED = "expired", _("已过期")
    NOT_YET_VALID = "not_yet_valid", _("尚未生效")
    # The code id was re-issued (the person asked for a new one) or never existed.
    UNKNOWN_CODE = "unknown_code", _("码已作废")
    # The same displayed code (its nonce) was already resolved at another terminal.
    REPLAYED = "replayed", _("重复使用")


class TerminalKind(models.TextChoices):
    HALL = "hall", _("政务大厅")  # a service hall's check-in or window device
    GATE = "gate", _("闸机")  # a metro or building gate
    BUS = "bus", _("公交")  # a bus's reader
    CLINIC = "clinic", _("医疗机构")  # a clinic or hospital desk
    LIBRARY = "library", _("图书馆")
    OTHER = "other", _("其他")


class IdentityField(models.TextChoices):
    """What a terminal may learn of the person besides valid/invalid (its scope), and what
    the person lets terminals see (their consent): a terminal gets the intersection."""

    NAME = "name", _("姓名")
    MASKED_ID = "masked_id", _("身份证号（脱敏）")
    ATTRIBUTES = "attributes", _("状态属性")


# What a person shares until they choose otherwise: the name (a hall greets them by it) and
# the attributes (the care flag is for their benefit); never the ID number by default.
DEFAULT_SHARED = (IdentityField.NAME.value, IdentityField.ATTRIBUTES.value)


class AttributeStatus(models.TextChoices):
    ACTIVE = "active", _("有效")  # set by an authorised unit, within its validity
    SUPERSEDED = "superseded", _("已更新")  # a newer value of the same type replaced it
    CLEARED = "cleared", _("已撤销")  # the unit withdrew it


ATTRIBUTE_TRANSITIONS = TransitionTable.build(
    "citycode_attribute",
    {
        AttributeStatus.ACTIVE: {AttributeStatus.SUPERSEDED, AttributeStatus.CLEARED},
        AttributeStatus.SUPERSEDED: set(),
        AttributeStatus.CLEARED: set(),
    },
)


class AlertKind(models.TextChoices):
    IMPOSSIBLE_TRAVEL = "impossible_travel", _("异地异常核验")  # too far apart for the time
    RAPID_SCANS = "rapid_scans", _("终端核验过快")  # a terminal scanning abnormally fast
    INVALID_BURST = "invalid_burst", _("连续无效码")  # repeated invalid codes at a terminal


# The JWS `typ` of a collective code (集体码): signed by the same keyring purpose as a
# person's code, told apart by its type so that neither is ever taken for the other.
GROUP_TOKEN_TYPE = "hm-cc-group"  # noqa: S105  # a JWS header value, not a secret


class MemberStatus(models.TextChoices):
    """A person's membership of a collective code (decision 0079)."""

    INVITED = "invited", _("待确认")  # the administrator invited them; nothing is shown yet
    ACTIVE = "active", _("已加入")  # they consented: the types they chose are shown
    DECLINED = "declined", _("已拒绝")  # they said no to the invitation
    LEFT = "left", _("已退出")  # they left (at any time); nothing is shown from then on


MEMBER_TRANSITIONS = TransitionTable.build(
    "citycode_member",
    {
        MemberStatus.INVITED: {MemberStatus.ACTIVE, MemberStatus.DECLINED},
        MemberStatus.ACTIVE: {MemberStatus.LEFT},
        MemberStatus.DECLINED: set(),
        MemberStatus.LEFT: set(),
    },
)
# Memberships still open: one per person and code at a time (a new invitation after one
# that ended is a new row, so the history stays).
OPEN_MEMBER_STATUSES = (MemberStatus.INVITED.value, MemberStatus.ACTIVE.value)
