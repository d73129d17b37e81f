"""URL map: the web shell, the admin, the API and its docs, /healthz."""

from django.contrib import admin
from django.urls import include, path

from config.api import api
from hongmian.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("hongmian.portal.urls")),
]
