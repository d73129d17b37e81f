"""The analytics pages under /analytics/."""

from django.urls import path

from hongmian.analytics import views

app_name = "analytics"
urlpatterns = [
    path("reports/", views.report_list, name="reports"),
    path("reports/generate/", views.report_generate, name="report_generate"),
    path("reports/jobs/<str:job_id>", views.report_job, name="report_job"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path(
        "reports/<int:pk>/download/<str:fmt>",
        views.report_download,
        name="report_download",
    ),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/wall/", views.dashboard_wall, name="dashboard_wall"),
    path("dashboard/data", views.dashboard_data, name="dashboard_data"),
]
