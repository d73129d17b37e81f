"""Writes of the identity app: the organisation tree, accounts, persons, enterprises, staff.

Each service is keyword-only, takes the acting `Actor`, checks the actor's permission,
validates the model, saves and writes its audit entry in one transaction. Failures are
`ValidationFailed` (422) or `Conflict` (409) with a stable code; callers never see a 500.

System jobs and management commands (`Actor.system`, `Actor.cli`) act with full rights;
a request acts with its user's rights, and an anonymous request with none.
"""

from hongmian.identity.services.accounts import (
    staff_profile_upsert,
    user_change_role,
    user_create,
    user_lockout_clear,
    user_update,
)
from hongmian.identity.services.api_keys import api_key_create, api_key_revoke
from hongmian.identity.services.assurance import (
    person_assurance_raise,
    person_verify_face,
    person_verify_face_upload,
    person_verify_id_and_phone,
    person_verify_in_person,
)
from hongmian.identity.services.enterprises import (
    enterprise_add_representative,
    enterprise_create,
    enterprise_remove_representative,
    enterprise_update,
)
from hongmian.identity.services.files import consent_grant, consent_revoke, file_push
from hongmian.identity.services.org_units import (
    org_unit_create,
    org_unit_deactivate,
    org_unit_move,
    org_unit_update,
)
from hongmian.identity.services.persons import person_create, person_update

__all__ = [
    "api_key_create",
    "api_key_revoke",
    "consent_grant",
    "consent_revoke",
    "enterprise_add_representative",
    "enterprise_create",
    "enterprise_remove_representative",
    "enterprise_update",
    "file_push",
    "org_unit_create",
    "org_unit_deactivate",
    "org_unit_move",
    "org_unit_update",
    "person_assurance_raise",
    "person_create",
    "person_update",
    "person_verify_face",
    "person_verify_face_upload",
    "person_verify_id_and_phone",
    "person_verify_in_person",
    "staff_profile_upsert",
    "user_change_role",
    "user_create",
    "user_lockout_clear",
    "user_update",
]
