from django.urls import path

from hongmian.applications import views, views_rules

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
    # 秒批 rules and their share (decision 0066)
    path("applications/rules/", views_rules.rules_index, name="rules"),
    path("applications/rules/<str:code>/", views_rules.rule_page, name="rule"),
]
