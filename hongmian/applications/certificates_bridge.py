"""What the applications read of the e-certificates app (decision 0052): the certificates an
applicant holds that can stand in for a material, as the few fields a material records.

Kept to one function so that the application's services never touch certificate rows (nor
their signed content): they see a reference, the type and a validity. Decision 0053."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from hongmian.certificates.selectors import certificates_held as _held_rows


@dataclass(frozen=True, slots=True)
class HeldCertificate:
    ref: str  # the certificate's public id (cert_id): what the material records
    type_code: str
    name: str
    valid_until: dt.datetime | None = None


def certificates_held(
    *, person: Any = None, enterprise: Any = None, type_codes: Collection[str]
) -> list[HeldCertificate]:
    """The valid e-certificates of `type_codes` that the enterprise (when given) or the person
    holds. The caller shows them and uses one only with the applicant's consent."""
    if not type_codes or (person is None and enterprise is None):
        return []
    rows = _held_rows(
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
        for cert in rows
    ]
