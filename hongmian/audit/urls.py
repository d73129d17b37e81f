"""The auditor's pages under /audit/."""

from django.urls import path

from hongmian.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.audit_log, name="log"),
    path("export.csv", views.audit_log_export, name="export"),
]
