from django.urls import path

from hongmian.applications import views, views_bundles

app_name = "applications"
urlpatterns = [
    path("services/items/<str:code>/apply/", views.apply, name="apply"),
    path("me/applications/", views.my_applications, name="mine"),
    path("me/applications/<int:pk>/", views.detail, name="detail"),
    path("me/applications/<int:pk>/prefill", views.prefill, name="prefill"),
    path(
        "me/applications/<int:pk>/materials/<int:material_id>",
        views.material,
        name="material",
    ),
    path("applications/desk/", views.desk, name="desk"),
    path("applications/desk/<int:pk>/", views.review, name="review"),
    path(
        "applications/desk/<int:pk>/materials/<int:material_id>",
        views.material_file,
        name="material_file",
    ),
    # life-event bundles (一件事一次办, decision 0068)
    path("me/applications/bundles/", views_bundles.my_bundles, name="bundles"),
    path(
        "me/applications/bundles/start/<slug:slug>/",
        views_bundles.bundle_start,
        name="bundle_start",
    ),
    path("me/applications/bundles/<int:id>/", views_bundles.bundle_detail, name="bundle"),
    path(
        "me/applications/bundles/<int:id>/prefill",
        views_bundles.bundle_prefill,
        name="bundle_prefill",
    ),
    path(
        "me/applications/bundles/<int:id>/materials",
        views_bundles.bundle_material,
        name="bundle_material",
    ),
]
