"""/open311/v2/: each GeoReport resource as .json and .xml (the spec's required format)."""

from django.urls import re_path

from hongmian.hotline.open311 import views

app_name = "open311"

_FORMAT = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    re_path(r"^discovery" + _FORMAT, views.discovery, name="discovery"),
    re_path(r"^services" + _FORMAT, views.service_list, name="services"),
    re_path(
        r"^services/(?P<service_code>[^/]+?)" + _FORMAT, views.service_definition, name="service"
    ),
    re_path(r"^requests" + _FORMAT, views.service_requests, name="requests"),
    re_path(
        r"^requests/(?P<service_request_id>[^/]+?)" + _FORMAT, views.service_request, name="request"
    ),
    re_path(r"^tokens/(?P<token>[^/]+?)" + _FORMAT, views.token, name="token"),
    # Anything else here is answered in the spec's error shape, not with the site's 404 page.
    re_path(r"^(?P<path>.*)$", views.not_found),
]
