"""Validators for Chinese identifiers. Each returns the normalised value or raises
ValidationFailed with a stable code that says exactly what is wrong."""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext

from hongmian.core.errors import ValidationFailed

# GB 11643-1999: weights of the 17 body digits and the check character for sum mod 11.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# Province-level codes (GB/T 2260) that appear as the first two digits of a resident ID.
_PROVINCES = frozenset(
    {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37"}
    | {"41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64"}
    | {"65", "71", "81", "82", "83", "91"}
)

# GB 32100-2015: the 31-character alphabet (no I, O, Z, S, V) and the weights of positions 1–17.
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# First character: the registering authority (1 编办, 5 民政, 9 工商/市场监管, Y 其他 …).
_USCC_AUTHORITIES = frozenset("123456789ANY")

_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def _fail(field: str, code: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, fields={field: [message]})


def resident_id_check_char(body17: str) -> str:
    total = sum(int(c) * w for c, w in zip(body17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def validate_resident_id(value: str, *, today: dt.date | None = None) -> str:
    """A mainland resident identity card number (18 characters, GB 11643)."""
    raw = (value or "").strip().upper().replace(" ", "")
    if not re.fullmatch(r"\d{17}[\dX]", raw):
        raise _fail(
            "resident_id", "resident_id.format", gettext("身份证号码应为18位：17位数字加1位数字或X")
        )
    if raw[:2] not in _PROVINCES:
        raise _fail("resident_id", "resident_id.region", gettext("身份证号码的地区码不存在"))
    try:
        born = dt.date(int(raw[6:10]), int(raw[10:12]), int(raw[12:14]))
    except ValueError:
        raise _fail(
            "resident_id", "resident_id.birthdate", gettext("身份证号码中的出生日期无效")
        ) from None
    today = today or dt.date.today()
    if born > today or born.year < 1880:
        raise _fail("resident_id", "resident_id.birthdate", gettext("身份证号码中的出生日期无效"))
    if resident_id_check_char(raw[:17]) != raw[17]:
        raise _fail("resident_id", "resident_id.checksum", gettext("身份证号码校验位不正确"))
    return raw


def resident_id_birthdate(value: str) -> dt.date:
    raw = validate_resident_id(value)
    return dt.date(int(raw[6:10]), int(raw[10:12]), int(raw[12:14]))


def resident_id_sex(value: str) -> str:
    """'M' or 'F' from the order digit (odd: male)."""
    return "M" if int(validate_resident_id(value)[16]) % 2 else "F"


def credit_code_check_char(body17: str) -> str:
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(body17, _USCC_WEIGHTS, strict=True))
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> str:
    """A unified social credit code (统一社会信用代码, 18 characters, GB 32100)."""
    raw = (value or "").strip().upper().replace(" ", "")
    if len(raw) != 18 or any(c not in _USCC_ALPHABET for c in raw):
        raise _fail(
            "credit_code",
            "credit_code.format",
            gettext("统一社会信用代码应为18位数字或大写字母（不含I、O、Z、S、V）"),
        )
    if raw[0] not in _USCC_AUTHORITIES or not raw[2:8].isdigit():
        raise _fail(
            "credit_code", "credit_code.format", gettext("统一社会信用代码的登记机关或地区码无效")
        )
    if credit_code_check_char(raw[:17]) != raw[17]:
        raise _fail("credit_code", "credit_code.checksum", gettext("统一社会信用代码校验位不正确"))
    return raw


def validate_mobile(value: str) -> str:
    """A mainland mobile number; accepts +86/86 prefixes, spaces and dashes."""
    raw = re.sub(r"[\s\-()（）]", "", value or "")
    if raw.startswith("+86"):
        raw = raw[3:]
    elif raw.startswith("0086"):
        raw = raw[4:]
    elif raw.startswith("86") and len(raw) == 13:
        raw = raw[2:]
    if not _MOBILE.fullmatch(raw):
        raise _fail(
            "mobile", "mobile.format", gettext("手机号码应为以1开头的11位数字，第二位为3至9")
        )
    return raw


def validate_iso_date(value: str, *, field: str = "date") -> dt.date:
    """A calendar date written YYYY-MM-DD."""
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        raise _fail(
            field, "date.format", gettext("日期“%(value)s”无效，应为 YYYY-MM-DD") % {"value": value}
        ) from None


# The largest id a database column holds (a signed 64-bit bigint, on SQLite and PostgreSQL).
DB_ID_MAX = 2**63 - 1
# At most 19 ASCII digits: `str.isdigit()` also says yes to '²' and '①', which `int()` refuses.
_ID = re.compile(r"[0-9]{1,19}")


def parse_id(raw: object) -> int | None:
    """The row id written in `raw` (a query or form value, a header), or None when it names
    no row any table can hold: not 1–19 ASCII digits, zero, or past the bigint column.
    Every view and form that reads an id from the request reads it here, so that no input
    can reach `int()` or the database as a 500."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw if 0 < raw <= DB_ID_MAX else None
    if not isinstance(raw, str) or not _ID.fullmatch(raw):
        return None
    value = int(raw)
    return value if 0 < value <= DB_ID_MAX else None
