"""The applications' bridge to the e-certificates app (`hongmian.certificates`, issue 13
item 1), read when a material can be satisfied by an e-certificate the applicant holds.

The seam is one function the certificates app provides:

    hongmian.certificates.selectors.certificates_held(user, *, type_codes) -> Iterable[cert]

giving the valid (not expired, not revoked) certificates held by the person or enterprise
`user` acts for, of the given type codes (catalog.CertificateType.code); each `cert` has
`id` (or `ref`), `type_code`, `name` and optionally `valid_until`. Without the app, or
before it provides the function, no certificate is held and every material is uploaded or
reused. Decision 0053."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.apps import apps

logger = logging.getLogger(__name__)

CERTIFICATES_APP = "hongmian.certificates"


@dataclass(frozen=True, slots=True)
class HeldCertificate:
    ref: str  # the certificate's id in the certificates app: what the material records
    type_code: str
    name: str
    valid_until: dt.date | None = None


def _provider() -> Any:
    if not apps.is_installed(CERTIFICATES_APP):
        return None
    try:
        module = import_module(f"{CERTIFICATES_APP}.selectors")
    except ImportError:  # pragma: no cover - an installed app without selectors
        return None
    return getattr(module, "certificates_held", None)


def certificates_held(user: Any, *, type_codes: Collection[str]) -> list[HeldCertificate]:
    """The e-certificates of `type_codes` that `user` holds (empty without the app). The
    caller shows them and uses one only with the applicant's consent."""
    provider = _provider()
    if provider is None or not type_codes:
        return []
    held = []
    for cert in provider(user, type_codes=list(type_codes)):
        ref = getattr(cert, "ref", None) or getattr(cert, "id", None)
        if ref is None:
            continue
        held.append(
            HeldCertificate(
                ref=str(ref),
                type_code=str(getattr(cert, "type_code", "")),
                name=str(getattr(cert, "name", "")),
                valid_until=getattr(cert, "valid_until", None),
            )
        )
    return held
