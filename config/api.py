"""The one NinjaAPI: every app mounts its Router here; errors map to {code, message, fields}."""

from ninja import NinjaAPI

from hongmian.core.api import router as core_router
from hongmian.core.api_errors import install_error_handlers
from hongmian.geo.api import router as geo_router
from hongmian.hotline.api import router as hotline_router
from hongmian.hotline.api_batch import router as hotline_batch_router
from hongmian.identity.api import router as identity_router
from hongmian.knowledge.api import router as knowledge_router

api = NinjaAPI(
    title="Hongmian API",
    version="1",
    description="红棉 — 政务服务与数据管理平台 API",
    urls_namespace="api",
)
install_error_handlers(api)

api.add_router("/core/", core_router)
api.add_router("/identity/", identity_router)
api.add_router("/geo/", geo_router)
api.add_router("/knowledge/", knowledge_router)
# Before the hotline's own router: `work-orders/batch` would otherwise match `{number}`.
api.add_router("/hotline/", hotline_batch_router)
api.add_router("/hotline/", hotline_router)
