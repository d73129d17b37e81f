"""URL map: the web shell, the admin, the API and its docs, Open311, /healthz."""

from django.contrib import admin
from django.urls import include, path

from config.api import api
from hongmian.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/", api.urls),
    # Open311 GeoReport v2: the spec fixes these paths, so they live outside /api/.
    path("open311/v2/", include("hongmian.hotline.open311.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("hotline/", include("hongmian.hotline.urls")),
    # The insights app's pages sit beside the hotline screens they serve (decision 0024).
    path("hotline/", include("hongmian.insights.urls")),
    path("telephony/", include("hongmian.telephony.urls")),
    path("analytics/", include("hongmian.analytics.urls")),
    # 数据资源目录 (issue 15): the data hub's catalogue and dataset pages.
    path("datahub/", include("hongmian.datahub.urls")),
    # 穗智管 (issue 15, item 5): the operations centre's big screen and thematic views.
    path("ops/", include("hongmian.opscentre.urls")),
    # The holder's certificates (/me/certificates/) and their public verification
    # (/certificates/verify/) (issue 13, item 1).
    path("", include("hongmian.certificates.urls")),
    # 我的红棉码 (/me/citycode/) and the terminals' and attributes' staff screens (issue 14).
    path("", include("hongmian.citycode.urls")),
    # 预约 (issue 14): the booking pages, /me/appointments/ and the hall's day; before "me/".
    path("", include("hongmian.appointments.urls")),
    # The owner's person and enterprise files (一人一档 / 一企一档, decision 0044).
    path("me/", include("hongmian.identity.urls")),
    # The auditor's audit log (issue 16, item 5).
    path("audit/", include("hongmian.audit.urls")),
    # The portal's service pages: finder, item, life event (issue 12, item 3).
    path("services/", include("hongmian.catalog.urls")),
    # 办件 (issue 13, item 2): apply from an item, 我的办件 under /me/, the review desk.
    path("", include("hongmian.applications.urls")),
    # 跨域通办 (issue 13, item 5): the applicant's submission to a partner city.
    path("", include("hongmian.crosscity.urls")),
    path("", include("hongmian.portal.urls")),
]

# A database outage is a 503 with Retry-After, every other unhandled error the 500 page.
handler500 = "hongmian.core.views.server_error"
