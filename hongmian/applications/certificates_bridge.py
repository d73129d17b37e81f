"""The applications' bridge to the e-certificates app (`hongmian.certificates`, issue 13
item 1), read when a material can be satisfied by an e-certificate the applicant holds.

The seam is one function the certificates app provides:

    hongmian.certificates.selectors.certificates_held(*, person, enterprise, type_codes)

giving the valid (not expired, not revoked) certificates held by the person or the
enterprise, of the given type codes (catalog.CertificateType.code), as Certificate rows
(`cert_id`, `type`, `valid_until`). Without the app no certificate is held and every
material is uploaded or reused. Decisions 0052, 0053."""

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
    valid_until: dt.datetime | None = None


def _provider() -> Any:
    if not apps.is_installed(CERTIFICATES_APP):
        return None
    try:
        module = import_module(f"{CERTIFICATES_APP}.selectors")
    except ImportError:  # pragma: no cover - an installed app without selectors
        return None
    return getattr(module, "certificates_held", None)


def certificates_held(
    *, person: Any = None, enterprise: Any = None, type_codes: Collection[str]
) -> list[HeldCertificate]:
    """The e-certificates of `type_codes` that the person or the enterprise holds (empty
    without the app). The caller shows them and uses one only with the applicant's
    consent."""
    provider = _provider()
    if provider is None or not type_codes or (person is None and enterprise is None):
        return []
    held = provider(
        person=None if enterprise is not None else person,
        enterprise=enterprise,
        type_codes=sorted(type_codes),
    )
    return [
        HeldCertificate(
            ref=str(cert.cert_id),
            type_code=cert.type.code,
            name=cert.type.name,
            valid_until=cert.valid_until,
        )
        for cert in held
    ]
