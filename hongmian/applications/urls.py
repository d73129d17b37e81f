from django.urls import path

from hongmian.applications import views, views_assist, views_bundles, views_rules

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
    # 帮办代办 (decision 0072): 我的授权, 为家人办理, and the hall's assisted-service desk.
    path("me/mandates/", views_assist.my_mandates, name="my_mandates"),
    path("me/mandates/<int:id>/", views_assist.my_mandate, name="my_mandate"),
    path("me/mandates/<int:id>/revoke", views_assist.my_mandate_revoke, name="my_mandate_revoke"),
    path("me/mandates/<int:id>/apply", views_assist.family_apply, name="family_apply"),
    path("applications/assist/", views_assist.assist, name="assist"),
    path("applications/assist/find", views_assist.assist_find, name="assist_find"),
    path("applications/assist/persons/<int:id>/", views_assist.assist_person, name="assist_person"),
    path(
        "applications/assist/persons/<int:id>/mandates",
        views_assist.assist_mandate,
        name="assist_mandate",
    ),
    path(
        "applications/assist/mandates/<int:id>/apply",
        views_assist.assist_apply,
        name="assist_apply",
    ),
    path(
        "applications/assist/applications/<int:pk>/",
        views_assist.assist_detail,
        name="assist_detail",
    ),
    path(
        "applications/assist/applications/<int:pk>/prefill",
        views_assist.assist_prefill,
        name="assist_prefill",
    ),
    path(
        "applications/assist/applications/<int:pk>/materials/<int:material_id>",
        views_assist.assist_material,
        name="assist_material",
    ),
    # 秒批 rules and their share (decision 0066)
    path("applications/rules/", views_rules.rules_index, name="rules"),
    path("applications/rules/<str:code>/", views_rules.rule_page, name="rule"),
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
