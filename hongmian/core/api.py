"""Kernel endpoints: validators exposed for form helpers and integrations."""

from ninja import Router, Schema

from hongmian.core import validators

router = Router(tags=["core"])


class CheckIn(Schema):
    value: str


class CheckOut(Schema):
    valid: bool
    normalized: str | None = None


@router.post("/validate/resident-id", response=CheckOut, summary="校验居民身份证号码")
def validate_resident_id(request, payload: CheckIn) -> CheckOut:
    return CheckOut(valid=True, normalized=validators.validate_resident_id(payload.value))


@router.post("/validate/credit-code", response=CheckOut, summary="校验统一社会信用代码")
def validate_credit_code(request, payload: CheckIn) -> CheckOut:
    return CheckOut(valid=True, normalized=validators.validate_credit_code(payload.value))


@router.post("/validate/mobile", response=CheckOut, summary="校验手机号码")
def validate_mobile(request, payload: CheckIn) -> CheckOut:
    return CheckOut(valid=True, normalized=validators.validate_mobile(payload.value))
