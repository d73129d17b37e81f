"""The one NinjaAPI: every app mounts its Router here; errors map to {code, message, fields}.

One authentication for every operation: an API key or the session (identity.auth), with
the CSRF check for the session's unsafe calls only. An operation open to the public says
`auth=None`; one that anonymous visitors may read too says `auth=api_key_session_or_anonymous`.
"""

import copy
import json
from functools import cached_property
from typing import Any

from ninja import NinjaAPI

from hongmian.applications.api import router as applications_router
from hongmian.applications.api_bundles import router as bundles_router
from hongmian.appointments.api import router as appointments_router
from hongmian.catalog.api import router as catalog_router
from hongmian.catalog.search.api import router as catalog_search_router
from hongmian.certificates.api import router as certificates_router
from hongmian.citycode.api import router as citycode_router
from hongmian.core.api import router as core_router
from hongmian.core.api_errors import (
    document_shared_errors,
    install_error_handlers,
    refuse_nul_characters,
)
from hongmian.crosscity.api import router as crosscity_router
from hongmian.datahub.api import router as datahub_router
from hongmian.geo.api import router as geo_router
from hongmian.hotline.api import router as hotline_router
from hongmian.identity.api import router as identity_router
from hongmian.identity.auth import api_key_or_session
from hongmian.knowledge.api import router as knowledge_router
from hongmian.telephony.api import router as telephony_router


class HongmianAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        # Building the schema walks every operation's types (about 2 s for this API, many
        # more on a busy machine) and the routes never change while the process runs: each
        # process builds it once per URL prefix, and every caller gets its own copy.
        key = json.dumps(kwargs, sort_keys=True, default=str)
        schema = self._openapi_schemas.get(key)
        if schema is None:
            # The errors every operation of a kind answers (401, 422 …) are documented here
            # once; each operation's response= names its own (404, 409 …).
            schema = document_shared_errors(super().get_openapi_schema(**kwargs))
            self._openapi_schemas[key] = schema
        return copy.deepcopy(schema)

    @cached_property
    def _openapi_schemas(self) -> dict[str, Any]:
        return {}


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
# The city code (issue 14, items 4–6): keys.json is public; scans are for terminals.
api.add_router("/citycode/", citycode_router)
api.add_router("/appointments/", appointments_router)
api.add_router("/hotline/", hotline_router)
api.add_router("/telephony/", telephony_router)
# The catalogue search (issue 12): its own router under /catalog/.
api.add_router("/catalog/", catalog_search_router)
# 办件 (issue 13, item 2).
api.add_router("/", applications_router)
# 一件事一次办 (issue 13, item 4).
api.add_router("/", bundles_router)
# 跨域通办 (issue 13, item 5): keys.json is public; packages and status are signed documents.
api.add_router("/crosscity/", crosscity_router)
# 城市数据中枢 (issue 15): the catalogue in DCAT, public.
api.add_router("/datahub/", datahub_router)
