"""Who may do what with the data catalogue: `can_*` predicates named after their services.

- Every staff member reads the catalogue (GB/T 21063: the catalogue lists every resource,
  so that departments know what exists); the field list of a 不予共享 dataset only its
  provider's staff, the chief data officer and the administrators.
- A provider's data stewards (and its manager) create and edit its datasets and run their
  ingestion; the chief data officer does so for every unit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hongmian.catalog.permissions import in_own_units
from hongmian.identity.permissions import is_active_user, is_staff_member, is_system_admin
from hongmian.identity.states import Role

if TYPE_CHECKING:
    from hongmian.datahub.models import Dataset, SharingRequest
    from hongmian.identity.models import OrgUnit

STEWARD_ROLES = frozenset({Role.DATA_STEWARD, Role.DEPT_MANAGER})
CITY_DATA_ROLES = frozenset({Role.CHIEF_DATA_OFFICER})


def _city_wide(user: Any) -> bool:
    return is_system_admin(user) or (is_active_user(user) and user.role in CITY_DATA_ROLES)


def can_view_catalogue(user: Any) -> bool:
    return is_staff_member(user) or is_system_admin(user)


def can_create_dataset(user: Any, provider: OrgUnit) -> bool:
    if _city_wide(user):
        return True
    return is_active_user(user) and user.role in STEWARD_ROLES and in_own_units(user, provider)


def can_update_dataset(user: Any, dataset: Dataset) -> bool:
    return can_create_dataset(user, dataset.provider)


def can_ingest_dataset(user: Any, dataset: Dataset) -> bool:
    return can_create_dataset(user, dataset.provider)


def can_view_fields(user: Any, dataset: Dataset) -> bool:
    """The field list (names, types, grades): everyone who reads the catalogue, except for a
    不予共享 dataset, whose structure stays with its provider and the city's data officers."""
    from hongmian.datahub.states import SharingType

    if dataset.sharing_type != SharingType.NOT_SHARED:
        return can_view_catalogue(user)
    return _city_wide(user) or in_own_units(user, dataset.provider)


# --- sharing (issue 15 item 3, decision 0081) --------------------------------------------------


def can_request_sharing(user: Any, dataset: Dataset) -> bool:
    """A consumer unit's steward or manager asks for another unit's dataset."""
    unit_id = getattr(user, "org_unit_id", None)
    return (
        is_active_user(user)
        and user.role in STEWARD_ROLES
        and unit_id is not None
        and unit_id != dataset.provider_id
    )


def can_answer_sharing(user: Any, request: SharingRequest) -> bool:
    """The provider's steward or manager, or the CDO, approves, refuses and revokes."""
    return can_update_dataset(user, request.dataset)


def can_read_rows(user: Any) -> bool:
    """Any staff account of a unit (typically the unit's API key account) reads rows its
    unit may read; what it may read is the grant's business (services/sharing.py)."""
    return is_staff_member(user) and getattr(user, "org_unit_id", None) is not None


# --- the chief data officers' pages (decision 0085) ----------------------------------------
# The city's data officers (and the city's leaders, who read the ranking) see every
# department; a unit's data stewards and its manager see their own unit and those below it.
CITY_CDO_ROLES = frozenset({Role.CHIEF_DATA_OFFICER, Role.CITY_LEADER})


def can_view_city_ranking(user: Any) -> bool:
    return is_system_admin(user) or (is_active_user(user) and user.role in CITY_CDO_ROLES)


def cdo_unit_ids(user: Any) -> list[int]:
    """The units a department's steward or manager answers for: theirs and those below."""
    from hongmian.identity.models import OrgUnit

    own = getattr(user, "org_unit", None)
    if not (is_active_user(user) and user.role in STEWARD_ROLES and own is not None):
        return []
    return list(OrgUnit.objects.filter(path__startswith=own.path).values_list("pk", flat=True))


def can_view_cdo(user: Any) -> bool:
    return can_view_city_ranking(user) or bool(cdo_unit_ids(user))
