"""The identity checks behind the assurance levels, behind one interface.

A real deployment plugs in the public security's ID-and-phone check (公安部 "网证" / the
carriers' 三要素 check) and a face-comparison service; tests and the demo use
`FakeIdentityVerifier`. `HONGMIAN_IDENTITY_VERIFIER` (a dotted path) chooses which.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from typing import Protocol, cast

from django.conf import settings
from django.utils.module_loading import import_string

from hongmian.core import validators
from hongmian.core.errors import ApplicationError


@dataclass(frozen=True, slots=True)
class VerificationResult:
    ok: bool
    # The checking service's reference for this check, kept as the evidence of the raise.
    reference: str
    # Why not, in words the person can act on (empty when ok).
    reason: str = ""


class IdentityVerifier(Protocol):
    def verify_id_and_phone(
        self, *, name: str, resident_id: str, mobile: str
    ) -> VerificationResult:
        """Do the name, ID number and mobile belong together (the mobile registered in
        that person's name)?"""
        ...

    def verify_in_person(self, *, resident_id: str, card_reading: str) -> VerificationResult:
        """Does the chip of the ID card read at a hall window match the ID number?"""
        ...

    def verify_face(self, *, name: str, resident_id: str, image: bytes) -> VerificationResult:
        """Is the live face that of the ID card's holder?"""
        ...


def _reference(kind: str, *parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else part.encode())
    return f"fake-{kind}-{digest.hexdigest()[:12]}"


class FakeIdentityVerifier:
    """Deterministic answers without any outside service. A mobile ending in 0000, a card
    reading that is not the ID number, or an image that is empty or says b"mismatch" fail;
    everything else with a well-formed ID number passes."""

    def verify_id_and_phone(
        self, *, name: str, resident_id: str, mobile: str
    ) -> VerificationResult:
        if not _well_formed(resident_id) or not name.strip():
            return VerificationResult(False, "", "姓名或身份证号码有误")
        if mobile.endswith("0000"):
            return VerificationResult(False, "", "手机号码不是登记在该身份证名下")
        return VerificationResult(True, _reference("id-phone", name, resident_id, mobile))

    def verify_in_person(self, *, resident_id: str, card_reading: str) -> VerificationResult:
        if not _well_formed(resident_id) or card_reading.strip() != resident_id:
            return VerificationResult(False, "", "身份证读卡信息与号码不符")
        return VerificationResult(True, _reference("card", resident_id))

    def verify_face(self, *, name: str, resident_id: str, image: bytes) -> VerificationResult:
        if not _well_formed(resident_id) or not image or image == b"mismatch":
            return VerificationResult(False, "", "人脸比对未通过")
        return VerificationResult(True, _reference("face", resident_id, image))


def _well_formed(resident_id: str) -> bool:
    try:
        validators.validate_resident_id(resident_id)
    except ApplicationError:
        return False
    return True


@cache
def _verifier(path: str) -> IdentityVerifier:
    return cast(IdentityVerifier, import_string(path)())


def identity_verifier() -> IdentityVerifier:
    """The configured verifier (one instance per process and setting)."""
    return _verifier(settings.HONGMIAN_IDENTITY_VERIFIER)
