"""Choices of the certificates app: holder kinds, revocation reasons, verification answers."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from hongmian.identity.states import Role

# The keyring purpose whose keys sign certificates (core/keyring.py).
KEY_PURPOSE = "certificates"
# The issuing department's staff who issue and read what their unit issued (a handler at the
# counter or in the back office, and the unit's manager, who alone revokes).
ISSUER_STAFF_ROLES = frozenset({Role.DEPT_HANDLER, Role.DEPT_MANAGER})


class HolderKind(models.TextChoices):
    PERSON = "person", _("个人")  # a natural person, named by a pseudonym in the certificate
    ENTERPRISE = "enterprise", _("企业")  # an enterprise, named by its public credit code


class RevokeReason(models.TextChoices):
    ISSUED_IN_ERROR = "issued_in_error", _("错误签发")  # the data was wrong when issued
    SUPERSEDED = "superseded", _("已被替换")  # a new certificate replaces this one
    CANCELLED = "cancelled", _("已注销")  # the fact ended (licence cancelled, marriage dissolved)
    HOLDER_REQUEST = "holder_request", _("持证人申请")  # the holder asked for it
    KEY_COMPROMISED = "key_compromised", _("密钥泄露")  # the signing key can no longer be trusted


class Reason(models.TextChoices):
    """The answer of a verification: `ok`, or why the certificate is not valid. Stable codes:
    clients and the CLI's JSON rely on them."""

    OK = "ok", _("有效")
    BAD_FORMAT = "bad_format", _("格式不正确，不是电子证照")
    UNKNOWN_KEY = "unknown_key", _("签名密钥不在公布的密钥集中")
    BAD_SIGNATURE = "bad_signature", _("签名不符，内容可能被篡改")
    UNKNOWN_TYPE = "unknown_type", _("未知的证照类型")
    NOT_YET_VALID = "not_yet_valid", _("尚未生效")
    EXPIRED = "expired", _("已过有效期")
    REVOKED = "revoked", _("已被吊销")
