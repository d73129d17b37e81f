"""Directions, delivery states and the stable refusal codes of cross-city exchange (跨域通办)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# The keyring purpose of this platform's cross-city signing key (core/keyring.py).
KEY_PURPOSE = "crosscity"
# The `typ` claims of the three signed documents (a package cannot pass for a receipt).
TYP_PACKAGE = "hongmian.crosscity.package"
TYP_RECEIPT = "hongmian.crosscity.receipt"
TYP_STATUS = "hongmian.crosscity.status"


class Direction(models.TextChoices):
    OUT = "out", _("发出")  # this platform sent it to the partner
    IN = "in", _("收到")  # the partner sent it here


class Delivery(models.TextChoices):
    QUEUED = "queued", _("待发送")  # signed and waiting for the job (retried until it lands)
    DELIVERED = "delivered", _("已送达")  # the partner answered with a valid signed receipt
    REFUSED = "refused", _("被拒收")  # the partner refused it with a code (not retried)
    RECEIVED = "received", _("已接收")  # an incoming one, accepted here


class Refusal(models.TextChoices):
    """Why an incoming package or status update is refused (the API's error codes)."""

    BAD_FORMAT = "crosscity.bad_format", _("格式不正确")
    UNKNOWN_PARTNER = "crosscity.unknown_partner", _("未登记的合作城市")
    UNKNOWN_KEY = "crosscity.unknown_key", _("未知的签名密钥")
    BAD_SIGNATURE = "crosscity.bad_signature", _("签名无效")
    WRONG_AUDIENCE = "crosscity.wrong_audience", _("不是发给本城市的")
    STALE = "crosscity.stale", _("签发时间超出允许范围")
    REPLAYED = "crosscity.replayed", _("包标识已被另一个包使用")
    KEYS_UNAVAILABLE = "crosscity.keys_unavailable", _("无法取得合作城市的公钥")
    CERTIFICATE_INVALID = "crosscity.certificate_invalid", _("随附电子证照无效")
    MATERIAL_MISMATCH = "crosscity.material_mismatch", _("材料文件与摘要不符")
    ITEM_NOT_OFFERED = "crosscity.item_not_offered", _("本市该事项未与发送城市通办")
    PACKAGE_UNKNOWN = "crosscity.package_unknown", _("没有这个申请包")
