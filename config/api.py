"""The one NinjaAPI: every app mounts its Router here; errors map to {code, message, fields}.

One authentication for every operation: an API key or the session (identity.auth), with
the CSRF check for the session's unsafe calls only. An operation open to the public says
`auth=None`; one that anonymous visitors may read too says `auth=api_key_session_or_anonymous`.
"""

from typing import Any

from ninja import NinjaAPI

from hongmian.applications.api import router as applications_router
from hongmian.appointments.api import router as appointments_router
from hongmian.catalog.api import router as catalog_router
from hongmian.catalog.search.api import router as catalog_search_router
from hongmian.certificates.api import router as certificates_router
from hongmian.core.api import router as core_router
from hongmian.core.api_errors import (
    document_shared_errors,
    install_error_handlers,
    refuse_nul_characters,
)
from hongmian.datahub.api import router as datahub_router
from hongmian.geo.api import router as geo_router
from hongmian.hotline.api import router as hotline_router
from hongmian.identity.api import router as identity_router
from hongmian.identity.auth import api_key_or_session
from hongmian.knowledge.api import router as knowledge_router
from hongmian.telephony.api import router as telephony_router


class HongmianAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        # The errors every operation of a kind answers (401, 422 …) are documented here
        # once; each operation's response= names its own (404, 409 …).
        return document_shared_errors(super().get_openapi_schema(**kwargs))


api = HongmianAPI(
    title="Hongmian API",
    version="1",
    description="红棉 — 政务服务与数据管理平台 API",
    urls_namespace="api",
    auth=api_key_or_session,
)
install_error_handlers(api)
api.add_decorator(refuse_nul_characters)

api.add_router("/core/", core_router)
api.add_router("/identity/", identity_router)
api.add_router("/geo/", geo_router)
api.add_router("/knowledge/", knowledge_router)
api.add_router("/catalog/", catalog_router)
# E-certificates (issue 13, item 1): keys.json, revoked.json and verify are public.
api.add_router("/certificates/", certificates_router)
api.add_router("/appointments/", appointments_router)
api.add_router("/hotline/", hotline_router)
api.add_router("/telephony/", telephony_router)
# The catalogue search (issue 12): its own router under /catalog/.
api.add_router("/catalog/", catalog_search_router)
# 办件 (issue 13, item 2).
api.add_router("/", applications_router)
# 城市数据中枢 (issue 15): the catalogue in DCAT, public.
api.add_router("/datahub/", datahub_router)
