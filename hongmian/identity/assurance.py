"""Identity assurance levels (实名认证等级): how sure the city is that an account is the
person it names. A service item states the level it needs; the portal compares.

The level lives on the Person (the identity), not on the User (the login): one person keeps
their level across a new account, and a staff login is not a citizen identity. Raising it is
`services.person_assurance_raise`; the check behind L2/L3 is an `IdentityVerifier`
(identity/verification.py). See docs/decisions/0044-person-file-and-assurance.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from hongmian.identity.models import User


class AssuranceLevel(models.IntegerChoices):
    # Ordered: a higher number is a stronger proof, so "needs L2" is `level >= 2`.
    L1 = 1, _("L1 自助注册")
    L2 = 2, _("L2 身份证号+手机核验")
    L3 = 3, _("L3 线下或人脸核验")


class AssuranceMethod(models.TextChoices):
    """How the current level was reached (kept with the level, shown to the owner)."""

    SELF_REGISTERED = "self_registered", _("自助注册")
    ID_AND_PHONE = "id_and_phone", _("身份证号与手机号核验")
    IN_PERSON = "in_person", _("政务服务大厅现场核验")
    FACE = "face", _("人脸识别核验")
    # Accounts marked "实名认证" before levels existed: the hall's check of the day was
    # ID number plus phone, so they became L2.
    LEGACY = "legacy", _("原实名认证")


# Level 0 is "no identity at all": an anonymous visitor or a disabled account. It is not a
# choice a person can hold, so it is not in AssuranceLevel.
NO_ASSURANCE = 0


def user_assurance_level(user: User | Any) -> int:
    """The assurance level `user` acts with: 0 when anonymous or inactive; the level of the
    Person linked to the account; L1 for an account with no Person yet (it registered itself
    and proved nothing). Staff accounts follow the same rule: the unit vouches for who works
    there, not for the citizen identity an application needs, so a staff login counts only
    through the Person linked to it."""
    if not (
        user is not None
        and getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
    ):
        return NO_ASSURANCE
    # Imported here: models.py imports this module for the field's choices.
    from hongmian.identity.models import Person

    level = Person.objects.filter(user_id=user.pk).values_list("assurance_level", flat=True).first()
    return int(level) if level is not None else int(AssuranceLevel.L1)
