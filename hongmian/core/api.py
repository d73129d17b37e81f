"""Kernel endpoints: validators exposed for form helpers and integrations (public: they
check a value's form and look nothing up)."""

from django.http import HttpRequest
from ninja import Router, Schema

from hongmian.core import validators
from hongmian.core.api_errors import errors

router = Router(tags=["core"])


class CheckIn(Schema):
    value: str


class CheckOut(Schema):
    valid: bool
    normalized: str | None = None


@router.post(
    "/validate/resident-id",
    auth=None,
    response={200: CheckOut, **errors(422)},
    summary="校验居民身份证号码",
)
def validate_resident_id(request: HttpRequest, payload: CheckIn) -> CheckOut:
    return CheckOut(valid=True, normalized=validators.validate_resident_id(payload.value))


@router.post(
    "/validate/credit-code",
    auth=None,
    response={200: CheckOut, **errors(422)},
    summary="校验统一社会信用代码",
)
def validate_credit_code(request: HttpRequest, payload: CheckIn) -> CheckOut:
    return CheckOut(valid=True, normalized=validators.validate_credit_code(payload.value))


@router.post(
    "/validate/mobile", auth=None, response={200: CheckOut, **errors(422)}, summary="校验手机号码"
)
def validate_mobile(request: HttpRequest, payload: CheckIn) -> CheckOut:
    return CheckOut(valid=True, normalized=validators.validate_mobile(payload.value))
